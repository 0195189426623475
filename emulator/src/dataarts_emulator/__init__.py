"""Stateful local emulator of DataArts Studio's Excel export API."""
