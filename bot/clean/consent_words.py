"""Consent vocabulary by family, for every EU language plus uk, ru, tr, ar, zh, ja and ko.

A cookie or consent notice says the same few things in every language: cookies (or the
local word for them), consent, the reader's device, the privacy policy, and what to click
(accept, reject, settings, withdraw). No single word marks a notice; two families together
in a short paragraph that reports nothing do. Stems, not whole words, so that inflected
forms match ("zgodę", "согласие", "súhlasíte", "hozzájárulását").
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.clean.consent_text import reports

# Plain lower-case stems of the cookie and consent families: one of them is in every notice,
# and substring tests rule out most paragraphs before any pattern runs.
_NEEDED: list[str] = []


def _family(*stems: str, needed: bool = False) -> re.Pattern[str]:
    if needed:
        _NEEDED.extend(stem.replace("\\b", "").lower() for stem in stems)
    return re.compile("|".join(stems), re.I)


COOKIE = _family(
    r"cookie",
    r"\bkakor\b",
    r"eväste",
    r"\bsüti",
    r"бисквитк",
    r"çerez",
    r"ciasteczk",
    r"piškot",
    r"kolačić",
    r"sīkdatn",
    r"slapuk",
    r"küpsis",
    r"fianán",
    r"ملفات تعريف الارتباط",
    r"ملفات الارتباط",
    r"쿠키",
    r"クッキー",
    needed=True,
)
CONSENT = _family(
    r"\bconsent",
    r"consentement",
    r"consentimiento",
    r"consentimento",
    r"\bconsenso",
    r"\bacconsent",
    r"einwillig",
    r"zustimm",
    r"toestemming",
    r"\bzgod",
    r"souhlas",
    r"súhlas",
    r"samtyk",
    r"samtyc",
    r"suostum",
    r"hozzájárul",
    r"consimțământ",
    r"consimtamant",
    r"συγκατάθεσ",
    r"συναιν",
    r"соглас",
    r"згод",
    r"\bonay",
    r"موافق",
    r"同意",
    r"동의",
    r"privolit",
    r"pristan",
    r"suglasnost",
    r"piekrišan",
    r"sutikim",
    r"nõusolek",
    r"съглас",
    r"toiliú",
    needed=True,
)
POLICY = _family(
    r"privacy",
    r"privacidad",
    r"privacidade",
    r"datenschutz",
    r"confidentialit",
    r"riservatezza",
    r"prywatno",
    r"ochran[ay] osobn",
    r"privatliv",
    r"integritet",
    r"tietosuoja",
    r"confiden[tț]ialitate",
    r"adatvédelm",
    r"απορρήτου",
    r"конфиденциальн",
    r"конфіденційн",
    r"поверителност",
    r"gizlilik",
    r"الخصوصية",
    r"隐私",
    r"隱私",
    r"プライバシー",
    r"개인정보",
    r"zasebnost",
    r"privatnost",
    r"privātum",
    r"privatum",
    r"privaatsus",
    r"príobháideach",
)
DEVICE = _family(
    r"\bdevice",
    r"dispositivo",
    r"\bgerät",
    r"appareil",
    r"\bterminal",
    r"apparaat",
    r"urządzeni",
    r"zařízení",
    r"zariadení",
    r"\benhet",
    r"\benhed",
    r"laittee",
    r"eszköz",
    r"dispozitiv",
    r"συσκευ",
    r"устройств",
    r"пристро",
    r"cihaz",
    r"جهاز",
    r"设备",
    r"設備",
    r"端末",
    r"기기",
    r"naprav",
    r"uređaj",
    r"ierīc",
    r"įrengin",
    r"seadme",
)
CLICK = _family(
    r"\bclick",
    r"\bklick",
    r"\bclic",
    r"\bcliqu",
    r"\bklik",
    r"kattint",
    r"tıkla",
    r"натиска",
    r"нажима",
    r"натиск",
    r"πατώντας",
    r"κάνοντας κλικ",
    r"بالنقر",
    r"انقر",
    r"点击",
    r"點擊",
    r"クリック",
    r"클릭",
    r"napsauttamalla",
    r"kliknutím",
    r"kliknięci",
    r"klikając",
)
WITHDRAW = _family(
    r"withdraw",
    r"widerruf",
    r"retirer",
    r"retirar",
    r"revoca",
    r"intrekken",
    r"wycofa",
    r"odvola",
    r"återkalla",
    r"trække .{0,20}tilbage",
    r"peruuttaa",
    r"visszavon",
    r"retrage",
    r"ανακαλ",
    r"отозвать",
    r"відкликати",
    r"оттегл",
    r"geri çek",
    r"سحب",
    r"撤回",
    r"철회",
    r"preklic",
    r"opozvati",
    r"atsaukt",
    r"atšaukti",
    r"tühistada",
)
SETTINGS = _family(
    r"\bsettings",
    r"einstellungen",
    r"paramètres",
    r"configuraci[oó]n",
    r"impostazioni",
    r"definições",
    r"instellingen",
    r"ustawieni",
    r"nastavení",
    r"nastaveni",
    r"inställningar",
    r"indstillinger",
    r"asetuks",
    r"beállítás",
    r"setări",
    r"ρυθμίσ",
    r"настройк",
    r"налаштуван",
    r"\bayarlar",
    r"الإعدادات",
    r"设置",
    r"設定",
    r"설정",
)
ACCEPT = _family(
    r"\baccept",
    r"akzept",
    r"acepta",
    r"accetta",
    r"aceita",
    r"akceptuj",
    r"přijm",
    r"prijať",
    r"godkänn",
    r"hyväksy",
    r"elfogad",
    r"αποδοχ",
    r"приня",
    r"прийня",
    r"приемам",
    r"kabul",
    r"قبول",
    r"接受",
    r"同意する",
    r"동의",
    r"\breject",
    r"ablehn",
    r"refuser",
    r"rechaza",
    r"rifiuta",
    r"rejeita",
    r"weiger",
    r"odrzu",
    r"odmítn",
    r"odmietn",
    r"avvisa",
    r"\bafvis",
    r"hylkää",
    r"elutasít",
    r"refuz",
    r"απόρριψ",
    r"отклон",
    r"відхил",
    r"отхвърл",
    r"reddet",
    r"رفض",
    r"拒绝",
    r"拒否",
    r"거부",
)
# Words that report: a notice never fines, rules or quotes anyone.
_REPORTING = _family(
    r"\b(said|says|told|according to|fined?|regulators?|court|ruling|lawsuit|million"
    r"|billion|investigation)\b",
)
_MAX_NOTICE = 700
_MAX_NEAR = 300
_MAX_BUTTONS = 60


@lru_cache(maxsize=1 << 14)
def is_notice_text(text: str) -> bool:
    """Whether a short paragraph reads as a consent notice by its families of words: cookies
    stored on a device, or cookies with two of consent, policy, click, withdraw and settings;
    or consent with two of click, withdraw, settings, policy and device."""
    if len(text) > _MAX_NOTICE:
        return False
    lowered = text.lower()
    if not any(stem in lowered for stem in _NEEDED):
        return False
    if _REPORTING.search(text) or reports(text):
        return False
    if COOKIE.search(text):
        # Storing on the reader's device is what notices say; other pairs need a third.
        if DEVICE.search(text):
            return True
        others = (CONSENT, POLICY, CLICK, WITHDRAW, SETTINGS)
        return sum(1 for f in others if f.search(text)) >= 2
    if not CONSENT.search(text):
        return False
    return sum(1 for f in (CLICK, WITHDRAW, SETTINGS, POLICY, DEVICE) if f.search(text)) >= 2


def is_notice_part(text: str) -> bool:
    """Whether a paragraph next to a notice belongs to it: its pointer to the privacy policy
    or a row of Accept / Reject / Settings buttons (more notice text is a notice itself)."""
    if len(text) > _MAX_NEAR or _REPORTING.search(text) or reports(text):
        return False
    if POLICY.search(text):
        return True
    return len(text) <= _MAX_BUTTONS and bool(ACCEPT.search(text) or SETTINGS.search(text))
