"""The mutants mutmut 3 never makes: mutmut's own operators, applied where mutmut does not look.

mutmut switches mutants at call time through trampolines it wraps around
functions, so it only mutates inside the bodies of module-level functions
and of methods of module-level classes, and skips everything a trampoline
cannot wrap or that runs at import time:

* module-level statements (constants such as a retryable status set);
* class bodies (dataclass field defaults, class constants);
* decorators and their arguments (``@dataclass(frozen=True, slots=True)``,
  ``@lru_cache(maxsize=...)``);
* the whole of a function with a decorator other than a lone
  ``staticmethod``/``classmethod`` (``@property``, ``@contextmanager``,
  ``@functools.lru_cache``), its defaults included;
* parameter defaults other than a plain name, number or string.

This module finds exactly those places and applies
:data:`mutmut.mutation.mutators.mutation_operators` to them, so a blind-spot
mutant is the same kind of change mutmut makes elsewhere (a number plus one,
a string wrapped in ``XX``, ``True`` for ``False``, a dropped argument, an
assignment of ``None``). The exclusions are mutmut's too: type annotations,
``len``/``isinstance`` calls, docstrings, imports, and lines marked
``# pragma: no mutate`` (mutmut's own parser reads the markers). Type aliases
and type variables (``Jitter = Literal[...]``, ``Destination: TypeAlias =
str | BinaryIO``, ``_T = TypeVar("_T")``) are annotations by another name and
are left alone for the same reason mutmut leaves annotations alone. Each mutant is the whole module with one change,
applied at import time by :mod:`.judge`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from mutmut.mutation.file_mutation import NEVER_MUTATE_FUNCTION_CALLS, NEVER_MUTATE_FUNCTION_NAMES
from mutmut.mutation.mutators import mutation_operators
from mutmut.mutation.pragma_handling import PragmaVisitor

# What mutmut leaves unmutated on purpose, everywhere: not a blind spot, a policy kept here too.
_NEVER_MUTATED = (cst.Annotation, cst.Import, cst.ImportFrom)
_TRAMPOLINE_DECORATORS = frozenset({"staticmethod", "classmethod"})
_SIMPLE_DEFAULTS = (cst.Name, cst.BaseNumber, cst.BaseString)
# Calls and subscripts that make a type for type checkers: an assignment of one is a type alias or variable.
_TYPING_FORMS = frozenset(
    {"TypeVar", "ParamSpec", "TypeVarTuple", "Literal", "Callable", "Awaitable", "Union", "Optional", "Annotated"}
)
_SNIPPET = 100


@dataclass(frozen=True)
class BlindSpot:
    """One mutant: where and what the change is, and how to write the module with it."""

    key: str
    line: int
    before: str
    after: str
    _module: cst.Module = field(repr=False, compare=False)
    _node: cst.CSTNode = field(repr=False, compare=False)
    _mutated: cst.CSTNode = field(repr=False, compare=False)

    def source(self) -> str:
        """The module's source with this one change."""
        changed = self._module.deep_replace(self._node, self._mutated)
        if not isinstance(changed, cst.Module):  # pragma: no cover - a whole module is never the mutated node
            raise TypeError("a mutation replaced the module itself")
        return changed.code


@dataclass(frozen=True)
class BlindSpots:
    """A module's blind-spot mutants, and the marked lines that kept blind-spot mutants from being made."""

    mutants: tuple[BlindSpot, ...]
    equivalent_lines: frozenset[int]


def _is_trampolined(function: cst.FunctionDef) -> bool:
    """Whether mutmut wraps ``function`` in a trampoline (and so mutates its body)."""
    if function.name.value in NEVER_MUTATE_FUNCTION_NAMES:
        return False
    if not function.decorators:
        return True
    decorator = function.decorators[0].decorator
    return (
        len(function.decorators) == 1 and isinstance(decorator, cst.Name) and decorator.value in _TRAMPOLINE_DECORATORS
    )


def _trampolined_functions(module: cst.Module) -> set[cst.FunctionDef]:
    """The functions mutmut mutates: module-level ones and methods of module-level classes, as it finds them."""
    candidates: list[cst.CSTNode] = list(module.body)
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
            candidates.extend(statement.body.body)
    return {node for node in candidates if isinstance(node, cst.FunctionDef) and _is_trampolined(node)}


def _left_out_by_mutmut(node: cst.CSTNode) -> bool:
    """Parts of a trampolined function that mutmut skips: decorated inner functions, decorators, complex defaults."""
    if isinstance(node, cst.FunctionDef):
        return bool(node.decorators) or node.name.value in NEVER_MUTATE_FUNCTION_NAMES
    if isinstance(node, cst.Param):
        return node.default is not None and not isinstance(node.default, _SIMPLE_DEFAULTS)
    return isinstance(node, cst.Decorator)


def _is_typing_form(value: cst.BaseExpression | None) -> bool:
    base = value.func if isinstance(value, cst.Call) else value.value if isinstance(value, cst.Subscript) else None
    return isinstance(base, cst.Name) and base.value in _TYPING_FORMS


def _is_type_alias(node: cst.AnnAssign) -> bool:
    """``Name: TypeAlias = ...`` (``typing.TypeAlias`` too): an annotation by another name, whatever its value."""
    annotation = node.annotation.annotation
    name = annotation.attr if isinstance(annotation, cst.Attribute) else annotation
    return isinstance(name, cst.Name) and name.value == "TypeAlias"


def _never_mutated(node: cst.CSTNode) -> bool:
    if isinstance(node, _NEVER_MUTATED):
        return True
    if isinstance(node, cst.Assign | cst.AnnAssign) and _is_typing_form(node.value):
        return True
    if isinstance(node, cst.AnnAssign) and _is_type_alias(node):
        return True
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value in NEVER_MUTATE_FUNCTION_CALLS
    )


def _snippet(module: cst.Module, node: cst.CSTNode) -> str:
    text = " ".join(module.code_for_node(node).split())
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 3] + "..."


def _descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


class _Finder(cst.CSTVisitor):
    """Walks the module, knowing at each node whether mutmut mutates there, and collects the changes it does not."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, trampolined: set[cst.FunctionDef], pragmas: PragmaVisitor) -> None:
        super().__init__()
        self._trampolined = trampolined
        self._marked = pragmas.no_mutate_lines
        self._skipped_blocks = pragmas.ignore_node_lines
        self._covered = [False]  # whether mutmut mutates the node being visited (a stack, one entry per level)
        self.changes: list[tuple[cst.CSTNode, cst.CSTNode, int]] = []
        self.equivalent_lines: set[int] = set()

    def _line(self, node: cst.CSTNode) -> int | None:
        position = self.get_metadata(PositionProvider, node, None)
        return position.start.line if position else None

    def on_visit(self, node: cst.CSTNode) -> bool:
        line = self._line(node)
        covered = node in self._trampolined or (self._covered[-1] and not _left_out_by_mutmut(node))
        self._covered.append(covered)  # on_leave pops it, whether or not the children are visited
        if _never_mutated(node) or line in self._skipped_blocks:
            return False
        if not covered:
            self._collect(node, line)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._covered.pop()

    def _collect(self, node: cst.CSTNode, line: int | None) -> None:
        for node_type, operator in mutation_operators:
            if not isinstance(node, node_type):
                continue
            for mutated in operator(node):
                if line in self._marked:
                    self.equivalent_lines.add(line)
                elif not self._removes_marked_code(node, mutated) and line is not None:
                    self.changes.append((node, mutated, line))

    def _removes_marked_code(self, node: cst.CSTNode, mutated: cst.CSTNode) -> bool:
        """Whether the change drops a part on a marked line (an argument, a case), as mutmut checks too."""
        kept = {id(child) for child in _descendants(mutated)}
        return any(id(child) not in kept and self._line(child) in self._marked for child in _descendants(node))


def find(source: str, filename: str = "<module>") -> BlindSpots:
    """Every blind-spot mutant of ``source``, in source order, and the marked lines that stopped others."""
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    pragmas = PragmaVisitor(filename)
    wrapper.visit(pragmas)
    finder = _Finder(_trampolined_functions(module), pragmas)
    wrapper.visit(finder)
    source_digest = hashlib.sha256(source.encode()).hexdigest()
    mutants = []
    for ordinal, (node, mutated, line) in enumerate(finder.changes):
        before, after = _snippet(module, node), _snippet(module, mutated)
        # Any change to the module renews every key: a constant's mutant depends on all the code that reads it.
        key = hashlib.sha256(f"{source_digest}\0{ordinal}\0{before}\0{after}".encode()).hexdigest()[:24]
        mutants.append(BlindSpot(key, line, before, after, module, node, mutated))
    return BlindSpots(tuple(mutants), frozenset(finder.equivalent_lines))


def describe(spots: Sequence[BlindSpot]) -> list[str]:
    """``line: before -> after`` for each mutant (for a reader, not for a machine)."""
    return [f"{spot.line}: {spot.before}  ->  {spot.after}" for spot in spots]
