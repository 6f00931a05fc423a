"""Display names of strategies: the study's ``label``, or one made from the strategy's id.

Reports and sentences name strategies the way a reader would ("Hosted fine-tuning",
"Self-hosted 7B", "Frontier API"), not by their TOML ids; the id stays in tables beside it.
"""

from __future__ import annotations

import re

#: Words written their usual way.
_WORDS = {"api": "API", "mlops": "MLOps", "llm": "LLM", "gpu": "GPU", "sla": "SLA",
          "pii": "PII", "rag": "RAG", "lora": "LoRA", "qlora": "QLoRA", "oss": "OSS"}
_GPT = re.compile(r"gpt(\d)(\d)?(o)?")
_SIZE = re.compile(r"\d+(\.\d+)?[bm]")


def _word(token: str, last: bool) -> str:
    if token == "ft":
        return "fine-tuning" if last else "fine-tuned"
    if token in _WORDS:
        return _WORDS[token]
    m = _GPT.fullmatch(token)
    if m:
        return f"GPT-{m[1]}" + (f".{m[2]}" if m[2] else "") + (m[3] or "")
    if _SIZE.fullmatch(token):
        return token.upper()
    return token


def default_label(name: str, suffix: str = "") -> str:
    """A readable name from a strategy id: words split at ``_`` and ``-``, known
    abbreviations written out, ``suffix`` (e.g. the kind's "API") added unless present.

    Examples
    --------
    >>> default_label("hosted_ft"), default_label("self_hosted_7b")
    ('Hosted fine-tuning', 'Self-hosted 7B')
    >>> default_label("frontier", "API"), default_label("gpt4", "API")
    ('Frontier API', 'GPT-4 API')
    >>> default_label("gpt35", "API"), default_label("ft_mini"), default_label("routed_80_20")
    ('GPT-3.5 API', 'Fine-tuned mini', 'Routed 80/20')
    >>> default_label("self_hosted_7b_mlops"), default_label("mistral_7b")
    ('Self-hosted 7B MLOps', 'Mistral 7B')
    """
    tokens = [t for t in re.split(r"[_\-]+", name) if t]
    words: list[str] = []
    i = 0
    while i < len(tokens):
        t, nxt = tokens[i].lower(), tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if t == "self" and nxt == "hosted":
            words.append("self-hosted")
            i += 2
            continue
        if t.isdigit() and nxt.isdigit():
            words.append(f"{t}/{nxt}")
            i += 2
            continue
        words.append(_word(t, i == len(tokens) - 1))
        i += 1
    if suffix and suffix.lower() not in (w.lower() for w in words):
        words.append(suffix)
    text = " ".join(words) or name
    return text[0].upper() + text[1:]
