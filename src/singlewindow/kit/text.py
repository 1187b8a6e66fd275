"""Text the platform stores: no control characters but tab, line feed and carriage return.

PostgreSQL refuses NUL in text columns outright, and no name, note or code of the standard
holds a control character; so free text from JSON bodies is checked here before it is kept,
on every database alike.
"""

from __future__ import annotations

import re

# C0 controls but \t \n \r, and DEL; as a pydantic `pattern` for request models too.
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{_CONTROLS}]")
NO_CONTROL_PATTERN = f"^[^{_CONTROLS}]*$"


def has_control_character(text: str) -> bool:
    return _CONTROL.search(text) is not None
