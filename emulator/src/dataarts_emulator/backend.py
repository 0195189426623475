"""Everything behind the HTTP layer, built once per app from the settings.

The spec, its router and request validator, the job store, the design
objects of the workspaces, the authenticator and authorizer, the gateway's
flow control and the fault injector: what a handler may call. Building it
reads and compiles the spec, so each request pays only for its own checks.
"""

from __future__ import annotations

from collections.abc import Collection

from .auth import Authenticator, Authorizer
from .design import DesignStore
from .faults import FaultInjector
from .flow_control import FlowControl, user_limits
from .models import Clock, JobStore
from .routing import SpecRouter
from .settings import EmulatorSettings
from .spec import load_spec
from .validation import RequestValidator


class EmulatorBackend:
    """The emulator's state and checkers for one set of :class:`EmulatorSettings` and one clock."""

    def __init__(self, settings: EmulatorSettings, clock: Clock, implemented: Collection[str]) -> None:
        self.settings = settings
        self.clock = clock
        self.spec = load_spec()
        self.router = SpecRouter(self.spec)
        self.validator = RequestValidator(self.spec)
        self.store = JobStore(settings, clock)
        self.design = DesignStore()
        self.authenticator = Authenticator(settings, clock)
        self.authorizer = Authorizer(settings.tenants)
        self.flow_control = FlowControl(user_limits(self.spec), clock, enabled=settings.flow_control)
        self.faults = FaultInjector(settings)
        missing = self.router.operation_ids - set(implemented)
        if missing:
            raise RuntimeError(f"the spec has operations the emulator does not implement: {sorted(missing)}")
