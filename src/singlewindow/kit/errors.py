"""Errors as facts: a stable code, a message in Chinese and English, and where it happened."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: what rule, where, and a message a person can act on."""

    code: str
    message_zh: str
    message_en: str
    path: str = ""
    line: int | None = None
    record: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "path": self.path,
            "line": self.line,
            "record": self.record,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


@dataclass(eq=False)
class DomainError(Exception):
    """A refusal with one or more coded problems. Edges map it to an HTTP status or exit code."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    @classmethod
    def of(
        cls, code: str, message_zh: str, message_en: str, *, path: str = "", record: str = ""
    ) -> DomainError:
        return cls([Problem(code, message_zh, message_en, path=path, record=record)])

    @property
    def code(self) -> str:
        return self.problems[0].code if self.problems else "error"

    def summary(self) -> str:
        return "; ".join(f"{p.code}: {p.message_en}" for p in self.problems)


class NotFound(DomainError):
    """What was asked for does not exist (or is outside the caller's scope)."""


class Forbidden(DomainError):
    """The caller may not do this."""
