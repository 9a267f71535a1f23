"""Numbers and names as a briefing prints them: grouped digits in the language's style
(Vietnamese 1.234,5; English 1,234.5), and a unit's name folded to ASCII for file names."""
import re
import unicodedata


def number_text(value: float | None, decimals: int = 0, language: str = "vi") -> str:
    """`value` with `decimals` digits and grouped thousands; "–" for no value."""
    if value is None:
        return "–"
    text = f"{value:,.{max(0, min(decimals, 6))}f}"
    if language == "en":
        return text
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent_text(value: float | None, language: str = "vi") -> str:
    """A signed percentage with one decimal ("+3,2 %")."""
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + number_text(value, 1, language) + " %"


def ascii_slug(text: str, limit: int = 60) -> str:
    """Lower case ASCII words joined by "-" ("Thành phố Sầm Sơn" → "thanh-pho-sam-son")."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:limit].strip("-") or "don-vi"
