"""The JSON bodies the HTTP API accepts (service/api.py): what a portal sends, with the limits and
the Chinese descriptions the OpenAPI page shows."""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field


class AskRequest(BaseModel):
    question: str = Field(min_length=1, description="中文问题，如“三公经费为何下降”（上限 BUDGETQA_MAX_QUESTION_CHARS，默认 500 字）")
    department: Optional[str] = Field(None, description="只在该部门的文件中查找")
    year: Optional[int] = Field(None, description="只在该年度的文件中查找")
    document_ids: Optional[list[str]] = Field(None, description="只在这些文档中查找")
    mode: Optional[str] = Field(None, description="default（无需大模型）或 llm")
    kind: Optional[str] = Field(None, pattern="^(预算|决算)$", description="只看预算或决算 / budgets or final accounts")


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, description="检索词（上限同问题） / query, same limit as a question")
    k: int = Field(8, ge=1, le=50)
    department: Optional[str] = None
    year: Optional[int] = None
    table_type: Optional[str] = None
    document_id: Optional[str] = None


class DecisionRequest(BaseModel):
    status: str = Field(pattern="^(open|confirmed|dismissed)$", description="open（待复核）| confirmed（已确认）| dismissed（已排除）")
    reason: Optional[str] = Field(None, max_length=1000, description="排除时必填 / required to dismiss")
    reviewer: Optional[str] = Field(None, max_length=100, description="复核人（使用 API 密钥时取密钥名） / who")


class ChatMessage(BaseModel):
    role: str
    content: str


class ChatRequest(BaseModel):
    model: str = "budgetqa"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    temperature: Optional[float] = None
