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
    r"withdraw|widerruf|retirer|retirar|revoca|intrekken|wycofa|odvola|återkalla"
    r"|trække .{0,20}tilbage|peruuttaa|visszavon|retrage|ανακαλ|отозвать|відкликати|оттегл"
    r"|geri çek|سحب|撤回|철회|preklic|opozvati|atsaukt|atšaukti|tühistada"
)
SETTINGS = _family(
    r"\bsettings|einstellungen|paramètres|configuraci[oó]n|impostazioni|definições|instellingen"
    r"|ustawieni|nastavení|nastaveni|inställningar|indstillinger|asetuks|beállítás|setări|ρυθμίσ"
    r"|настройк|налаштуван|\bayarlar|الإعدادات|设置|設定|설정"
)
ACCEPT = _family(
    r"\baccept|akzept|acepta|accetta|aceita|akceptuj|přijm|prijať|godkänn|hyväksy|elfogad|αποδοχ"
    r"|приня|прийня|приемам|kabul|قبول|接受|同意する|동의|\breject|ablehn|refuser|rechaza|rifiuta"
    r"|rejeita|weiger|odrzu|odmítn|odmietn|avvisa|\bafvis|hylkää|elutasít|refuz|απόρριψ|отклон"
    r"|відхил|отхвърл|reddet|رفض|拒绝|拒否|거부"
)
# The IAB Transparency and Consent Framework's standard texts, which CMPs show word for word
# in each language: its purposes and features ("store and/or access information on a
# device", "precise geolocation data", "personalised ads and content", "ad and content
# measurement", "audience insights and product development") and its legal basis
# ("legitimate interest"). A paragraph naming one of them is a notice's, not a story's.
TCF_PURPOSE = _family(
    # en
    r"stor(e|ing) and/or access(ing)? information on a device|precise geolocation data"
    r"|personali[sz]ed (ads|advertising) and content|ad(vertising)? and content measurement"
    r"|audience (insights|research) and (product|services?) development"
    r"|actively scan(ning)? device characteristics"
    r"|create profiles? (for|to) personali[sz]e|use limited data to select (advertising|content)"
    # de
    r"|informationen auf einem gerät speichern|genaue standortdaten"
    r"|personalisierte (anzeigen|werbung) und inhalte|anzeigen- und inhaltsmessung"
    r""
    # fr
    r"|stocker et/ou accéder à des informations sur un (appareil|terminal)"
    r"|données de géolocalisation précises|publicités et contenu personnalisés"
    r"|mesure de performance des publicités"
    # es
    r"|almacenar (y/)?o acceder a información en un dispositivo"
    r"|datos de (geo)?localización (geográfica )?precisa|anuncios y contenido personalizados"
    r"|medición de anuncios y (del )?contenido"
    # it
    r"|archiviare e/o accedere a informazioni su un dispositivo"
    r"|dati di geolocalizzazione precisi|annunci e contenuti personalizzati"
    r"|valutazione degli annunci e del contenuto"
    # pt
    r"|armazenar e/ou ace(der|ssar) (a )?informações (num|em um) dispositivo"
    r"|dados de geolocalização precisos|anúncios e conteúdos? personalizados"
    r"|medição de anúncios e (de )?conteúdos?"
    # nl
    r"|informatie op een apparaat opslaan en/of openen|precieze geolocatiegegevens"
    r"|gepersonaliseerde advertenties en content|advertentie- en contentmeting"
    r""
    # pl
    r"|przechowywanie informacji na urządzeniu lub dostęp do nich|dokładne dane geolokalizacyjne"
    r"|spersonalizowane reklamy i treści|pomiar reklam i treści"
    # cs, sk
    r"|ukládat a/nebo přistupovat k informacím|ukladať a/alebo pristupovať k informáciám"
    r"|personalizované reklamy a obsah|přesné údaje o zeměpisné poloze"
    r""
    # sv, da
    r"|lagra och/eller få åtkomst till information|opbevar\w* og/eller få adgang til oplysninger"
    r""
    # fi, hu, ro
    r"|tallentaa tietoja laitteelle|információk tárolása"
    r"|stocarea și/sau accesarea informațiilor"
    # el, bg, hr, sl, lv, lt, et
    r"|αποθήκευση ή/και πρόσβαση σε πληροφορίες"
    r"|съхраняване и/или достъп до информация"
    r"|pohrana i/ili pristup informacijama"
    r"|shranjevanje in/ali dostop do informacij"
    r"|glabāt un/vai piekļūt informācijai"
    r"|saugoti ir \(arba\) pasiekti informaciją"
    # uk, ru, tr
    r"|зберігати та/або (отримувати доступ|мати доступ)|хранение и/или доступ к информации"
    r"|точн\w* дан\w* геолокац|bir cihazda bilgi depolama"
    r"|kesin coğrafi konum verileri"
)
# The framework's legal bases: on their own also words of law reports, so they count only
# beside the rest of a notice.
TCF_LEGAL = _family(
    r"legitimate interests?\b|berechtigte[nms]? interesse|intérêts? légitimes?|interés legítimo"
    r"|legittimo interesse|interesse legítimo|gerechtvaardigd(e)? belang"
    r"|prawnie uzasadnion\w* interes|oprávněn\w* zájm?\w*|oprávnen\w* záujm?\w*"
    r"|berättigat intresse|legitim(e)? interesse|oikeutetu\w* e(tu|du)|jogos érdek"
    r"|interes(ul)? legitim|έννομο συμφέρον|легитимен интерес|legitimn\w* interes"
    r"|zakonit\w* interes|leģitīm\w* interes|teisėt\w* interes|õigustatud huvi"
    r"|законн?\w* інтерес|законн\w* интерес|meşru (menfaat|çıkar)"
)
# The CMP's own voice around those texts: "we and our partners", "we care about your
# privacy", "continue without agreeing".
TCF_VOICE = _family(
    r"\bwe and our (\d+ )?(partners|vendors)|\bwe (care about|value|respect) your privacy"
    r"|\byour privacy is important to us|continue without (agreeing|accepting|consenting)"
    r"|\bwir und unsere (\d+ )?partner|ihre privatsphäre ist uns wichtig"
    r"|ohne (zustimmung|einwilligung) fortfahren|\bnous et nos (\d+ )?partenaires"
    r"|nous (respectons|nous soucions de) votre vie privée|continuer sans (accepter|consentir)"
    r"|\bnosotros y nuestros (\d+ )?(socios|proveedores)"
    r"|(tu|su) privacidad es importante para nosotros|continuar sin aceptar"
    r"|\bnoi e i nostri (\d+ )?(partner|fornitori)|la (tua|sua) privacy è importante per noi"
    r"|continua senza accettare|\bnós e os nossos (\d+ )?parceiros"
    r"|a sua privacidade é importante para nós|continuar sem aceitar"
    r"|\bwij en onze (\d+ )?partners|uw privacy is belangrijk voor ons"
    r"|doorgaan zonder (te )?accepteren|\bmy i nasi (\d+ )?partnerzy"
    r"|twoja prywatność jest dla nas ważna|\bmy a naši partne[řr]i|\bvi och våra partner"
    r"|\bvi og vores partnere|\bme ja kumppanimme|\bmi és partnereink|\bnoi și partenerii noștri"
    r"|εμείς και οι συνεργάτες μας|ние и нашите партньори|\bmi i naši partneri"
    r"|\bmēs un mūsu partneri|\bmes ir mūsų partneriai|\bmeie ja meie partnerid"
    r"|\bми (та|і) наші партнери|ми дбаємо про вашу конфіденційність|продовжити без згоди"
    r"|\bмы и наши партн[её]ры|мы заботимся о вашей конфиденциальности|продолжить без согласия"
    r"|\bbiz ve (iş )?ortaklarımız|gizliliğinize önem veriyoruz|kabul etmeden devam et"
)

# Words that report: a notice never fines, rules or quotes anyone.
_REPORTING = _family(
    r"\b(said|says|told|according to|fined?|regulators?|court|ruling|lawsuit|million"
    r"|billion|investigation)\b",
)
_MAX_NOTICE = 700
_TCF = (TCF_PURPOSE, TCF_LEGAL, TCF_VOICE)
_TCF_ANY = re.compile("|".join(f"(?:{f.pattern})" for f in _TCF), re.I)


def _needles(pattern: str) -> frozenset[str]:
    """The longest literal run every top-level alternative of ``pattern`` must contain, so
    that cheap substring tests rule out most paragraphs before the pattern runs."""
    needles, runs, run, depth, i = set(), [], "", 0, 0
    while i <= len(pattern):
        char = pattern[i] if i < len(pattern) else "|"
        if char == "\\":
            runs.append(run)
            run, i = "", i + 2
            continue
        if depth == 0 and char == "|":
            needles.add(max([*runs, run], key=len).lower())
            runs, run = [], ""
        elif char in "()[]":
            depth += 1 if char in "([" else -1
            runs.append(run)
            run = ""
        elif depth == 0 and char in "?*{":
            runs.append(run[:-1])
            run = ""
        elif depth == 0 and char not in "+.^$":
            run += char
        i += 1
    return frozenset(needles)


_TCF_NEEDLES = frozenset().union(*(_needles(f.pattern) for f in _TCF))
# The reader's right to object to processing on a legitimate interest.
_OBJECT = _family(
    r"\bobject\b|widersprech|widerspruch|vous opposer|oponerse|opporsi|opor-se|bezwaar|sprzeciw"
    r"|vznést námitk|invända|gøre indsigelse|vastustaa|tiltakoz|opune|αντίρρησ|възраз|prigovor"
    r"|iebildum|prieštarau|vastuväit|возраж|заперечит|itiraz"
)
_OTHERS = (COOKIE, CONSENT, DEVICE, POLICY, WITHDRAW, SETTINGS, ACCEPT, CLICK)
_MAX_TCF = 1500
_MAX_TCF_LINE = 100
_MAX_NEAR = 300
_MAX_BUTTONS = 60


@lru_cache(maxsize=1 << 14)
def is_notice_text(text: str) -> bool:
    """Whether a short paragraph reads as a consent notice by its families of words: cookies
    stored on a device, or cookies with two of consent, policy, click, withdraw and settings;
    or consent with two of click, withdraw, settings, policy and device."""
    if is_tcf_notice(text):
        return True
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


def _names_tcf(text: str) -> bool:
    lowered = text.lower()
    return any(map(lowered.__contains__, _TCF_NEEDLES)) and bool(_TCF_ANY.search(text))


def is_tcf_notice(text: str) -> bool:
    """Whether a paragraph that reports nothing reads as the framework's notice: two of its
    standard texts, a short CMP line alone ("We care about your privacy", "Continue without
    agreeing"), one purpose beside another consent family, or the legal basis beside the
    right to object."""
    if len(text) > _MAX_TCF or not _names_tcf(text):
        return False
    if _REPORTING.search(text) or reports(text):
        return False
    found = {m.group(0).lower() for f in _TCF for m in f.finditer(text)}
    if len(found) >= 2:
        return True
    if TCF_VOICE.search(text) and len(text) <= _MAX_TCF_LINE:
        return True
    others = sum(1 for f in _OTHERS if f.search(text))
    # A purpose beside any consent family; the legal basis, a word of law reports too
    # ("'legitimate interest' toggles are not valid consent"), needs the right to object or
    # two families.
    if TCF_PURPOSE.search(text):
        return others >= 1
    return bool(_OBJECT.search(text)) or others >= 2


def is_notice_part(text: str) -> bool:
    """Whether a paragraph next to a notice belongs to it: its pointer to the privacy policy
    or a row of Accept / Reject / Settings buttons (more notice text is a notice itself)."""
    if len(text) > _MAX_NEAR or _REPORTING.search(text) or reports(text):
        return False
    if POLICY.search(text) or _names_tcf(text):
        return True
    return len(text) <= _MAX_BUTTONS and bool(ACCEPT.search(text) or SETTINGS.search(text))
