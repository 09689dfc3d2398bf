"""What the claim-extraction model returns, and reading it back from text (checking/llm_claims.py).

`LLMClaim` is the structured output the model is asked for; every field but `value` is advisory and
is verified against the sentence afterwards (llm_verify.py). A server without structured output, or
a reply that breaks the schema, is parsed here from its text: each valid object is kept, each bad one
counted, and nothing raises, so a misbehaving model costs its claims and never the check.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Optional

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from checking.claims import KINDS


class LLMClaim(BaseModel):
    """One figure the model says the sentence states. Everything but `value` is advisory."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sentence: Optional[int] = None  # 1-based number of the sentence in the batch
    metric: str = ""
    kind: str
    value: str = Field(validation_alias=AliasChoices("value", "raw"))  # as printed: "21.42" (a glued unit is tolerated)
    unit: Optional[str] = None
    direction: Optional[str] = None  # 增加 / 减少 / 持平 … as printed
    compared_year: Optional[int] = None
    basis: Optional[str] = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        v = (v or "").strip()
        if v not in KINDS:
            raise ValueError(f"kind {v!r} is not one of {KINDS}")
        return v

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, v: Any) -> str:
        if isinstance(v, float):  # a JSON number: its repr is not the printed string; keep it, verify later
            return repr(v)
        if isinstance(v, (int, Decimal)):
            return str(v)
        if not isinstance(v, str) or not v.strip():
            raise ValueError("value must be a non-empty string")
        return v.strip()

    @field_validator("sentence", "compared_year", mode="before")
    @classmethod
    def _int_or_none(cls, v: Any) -> Optional[int]:
        if v is None or v == "" or isinstance(v, bool):
            return None
        try:
            return int(str(v).strip().rstrip("年"))
        except ValueError:
            return None

    @field_validator("metric", "unit", "direction", "basis", mode="before")
    @classmethod
    def _str_or_none(cls, v: Any) -> Optional[str]:
        if v is None:
            return None
        s = str(v).strip()
        return None if s.lower() in ("", "null", "none") else s


class LLMClaimList(BaseModel):
    """What the model returns: {"claims": [...]}."""

    claims: list[LLMClaim] = Field(default_factory=list)


def _json_values(text: str) -> list[Any]:
    """Every top-level JSON value in the text (code fences and prose around them are ignored)."""
    dec = json.JSONDecoder()
    out, i = [], 0
    while i < len(text):
        j = min((k for k in (text.find("{", i), text.find("[", i)) if k >= 0), default=-1)
        if j < 0:
            break
        try:
            val, end = dec.raw_decode(text, j)
        except json.JSONDecodeError:
            i = j + 1  # not valid from here (or cut short): look for a complete value further on
            continue
        out.append(val)
        i = end
    return out


def parse_reply(text: str) -> tuple[list[LLMClaim], int]:
    """The model's text → (valid claim objects, number of objects rejected by the schema).

    Accepts {"claims": [...]}, a bare list, or single claim objects (also what remains complete of
    a reply cut short by max_tokens). Never raises."""
    items: list[Any] = []
    for val in _json_values(text or ""):
        if isinstance(val, dict) and isinstance(val.get("claims"), list):
            items += val["claims"]
        elif isinstance(val, list):
            items += val
        elif isinstance(val, dict) and "value" in val:
            items.append(val)
    good, bad = [], 0
    for item in items:
        if not isinstance(item, dict):
            bad += 1
            continue
        try:
            good.append(LLMClaim.model_validate(item))
        except ValidationError:
            bad += 1
    return good, bad
