"""Tests of the emulator (``dataarts_emulator``)."""
