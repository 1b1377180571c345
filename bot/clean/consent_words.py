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

from bot.clean.consent_text import NOTICE_STEMS, reports

# Plain lower-case stems of the cookie and consent families: one of them is in every notice,
# and substring tests rule out most paragraphs before any pattern runs.
_NEEDED: list[str] = []


def _family(*stems: str, needed: bool = False) -> re.Pattern[str]:
    """The stems as one pattern, matched against lower-cased text (re.I makes Python's
    engine several times slower on alternations)."""
    alternatives = "|".join(stems)
    if needed:
        _NEEDED.extend(stem.replace("\\b", "") for stem in alternatives.split("|"))
    return re.compile(alternatives)


COOKIE = _family(
    r"cookie|\bkakor\b|eväste|\bsüti|бисквитк|çerez|ciasteczk|piškot|kolačić|sīkdatn|slapuk"
    r"|küpsis|fianán|fianái|ملفات تعريف الارتباط|ملفات الارتباط|쿠키|クッキー"
    # Colloquial Russian and Ukrainian "куки"/"кукі", Greek "μπισκότα".
    r"|\bкуки\b|\bкукі\b|μπισκότ",
    needed=True,
)
CONSENT = _family(
    r"\bconsent|consentement|consentimiento|consentimento|\bconsenso|\bacconsent|einwillig"
    r"|zustimm|toestemming|\bzgod|souhlas|súhlas|samtyk|samtyc|suostum|hozzájárul|consimțământ"
    r"|consimtamant|συγκατάθεσ|συναιν|соглас|згод|\bonay|موافق|同意|동의|privolit|pristan"
    r"|suglasnost|piekrišan|sutikim|nõusolek|съглас|toiliú|thoiliú|soglasj|privol|kunsens",
    needed=True,
)
POLICY = _family(
    r"privacy|privacidad|privacidade|datenschutz|confidentialit|riservatezza|prywatno"
    r"|ochran[ay] osobn|privatliv|integritet|tietosuoja|confiden[tț]ialitate|adatvédelm"
    r"|απορρήτου|конфиденциальн|конфіденційн|поверителност|gizlilik|الخصوصية|隐私|隱私"
    r"|プライバシー|개인정보"
    r"|zasebnost|privatnost|privātum|privatum|privaatsus|príobháideach|súkromi",
)
DEVICE = _family(
    r"\bdevice|dispositivo|\bgerät|appareil|\bterminal|apparaat|urządzeni|zařízení|zariadení"
    r"|\benhet|\benhed|laittee|eszköz|dispozitiv|συσκευ|устройств|пристро|cihaz|جهاز|设备|設備"
    r"|\baparato|\baparelho|zariaden|zařízen"
    r"|端末|기기|naprav|uređaj|ierīc|įrengin|seadme",
    # The reader's computer, where sites' own notices say the files go.
    r"comput|komputer|ordenador|ordinateur|\brechner|počítač|\bdator|tietokone|számítógép"
    r"|υπολογιστ|комп['’]?ютер|компьютер|компютър|bilgisayar|calculator|حاسوب|电脑|電腦"
    r"|コンピュータ|パソコン|컴퓨터",
)
CLICK = _family(
    r"\bclick|\bklick|\bclic|\bcliqu|\bklik|kattint|tıkla|натиска|нажима|натиск|πατώντας"
    r"|κάνοντας κλικ|بالنقر|انقر|点击|點擊|クリック|클릭|napsauttamalla|kliknutím|kliknięci"
    r"|klikając"
    # Pressing or tapping the button, as notices also put it.
    r"|\b(press|tap)(ing|ping)? (on )?(the )?([\"“'‘«]|accept|agree|allow|ok\b|reject|button)"
    r"|\bdrücken|\btippen|appuyant|appuyez|\bpuls(a|as|ar|ando)\b"
    r"|presiona|premendo|carregar em|carregando em|pression(ar|ando)|\bdruk(ken)? op|te drukken"
    r"|naciskając|naciśnij|stisknutím|stiskněte|stlačením|stlačte|\btryck(a|er)? på|\btryk(ke)? på"
    r"|painamalla|napauttamalla|megnyomásával|nyomja meg|apăsând|apăsați|натиснете|нажав|нажмите"
    r"|натиснувши|натисніть|basarak|pritiskom|pritisnite|klikom|paspaud|spustel|nospiež"
    r"|noklikšķ|vajutades|klõpsa|بالضغط|اضغط|押す|押して|タップ|누르|tagħfas|\bbrú\b|bhrú",
)
WITHDRAW = _family(
    r"withdraw|widerruf|retirer|retirar|revoca|intrekken|wycofa|odvola|återkalla"
    r"|trække .{0,20}tilbage|peruuttaa|visszavon|retrage|ανακαλ|отозвать|відкликати|оттегл"
    r"|geri çek|سحب|撤回|철회|preklic|opozvati|atsaukt|atšaukti|tühistada"
)
SETTINGS = _family(
    r"\bsettings|einstellungen|paramètres|réglages|configuraci[oó]n|\bajustes|impostazioni"
    r"|definições|instellingen|setări|setăril"
    r"|ustawieni|nastavení|nastaveni|inställningar|indstillinger|asetuks|beállítás|setări|ρυθμίσ"
    r"|настройк|налаштуван|\bayarlar|الإعدادات|设置|設定|설정"
)
ACCEPT = _family(
    r"\baccept|akzept|acepta|accetta|aceita|akceptuj|přijm|prijať|godkänn|hyväksy|elfogad|αποδοχ"
    r"|приня|прийня|приемам|kabul|قبول|接受|同意する|동의|\breject|ablehn|refuser|rechaza|rifiuta"
    r"|rejeita|weiger|odrzu|odmítn|odmietn|avvisa|\bafvis|hylkää|elutasít|refuz|απόρριψ|отклон"
    r"|відхил|отхвърл|reddet|رفض|拒绝|拒否|거부"
)
# The reader's assent, which notices assume ("if you read on, you agree"): beside consent's
# own words, the verbs of agreeing.
ASSENT = _family(
    r"\bagree|einverstanden|d['’]accord|de acuerdo|de acord|concord|akkoord|\binstem|zgadza"
    r"|погодж|згоден|згодні|соглаш|συμφων|توافق|accett|egyetért|\benig|samtyk|souhlas|súhlas"
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


def _needles(pattern: str) -> list[tuple[str, str]]:
    """Each top-level alternative of ``pattern`` with the longest literal run it must
    contain, so that cheap substring tests pick the few alternatives worth running."""
    found, runs, run, depth, i, start = [], [], "", 0, 0, 0
    while i <= len(pattern):
        char = pattern[i] if i < len(pattern) else "|"
        if char == "\\":
            runs.append(run)
            run, i = "", i + 2
            continue
        if depth == 0 and char == "|":
            found.append((max([*runs, run], key=len).lower(), pattern[start:i]))
            runs, run, start = [], "", i + 1
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
    return found


# Each standard text's own pattern, run only when its literal part is in the paragraph.
_TCF_TEXTS = tuple(
    (needle, re.compile(alternative)) for f in _TCF for needle, alternative in _needles(f.pattern)
)
_TCF_NEEDLES = frozenset(needle for needle, _ in _TCF_TEXTS)
# Every notice either rule reads (is_consent_notice, is_notice_text) holds one of these
# lower-case stems: a block that holds none needs no pattern run (classify looks them all
# up in one pass).
NOTICE_NEEDLES = frozenset({*_NEEDED, *_TCF_NEEDLES, *NOTICE_STEMS})
# The reader's right to object to processing on a legitimate interest.
_OBJECT = _family(
    r"\bobject\b|widersprech|widerspruch|vous opposer|oponerse|opporsi|opor-se|bezwaar|sprzeciw"
    r"|vznést námitk|invända|gøre indsigelse|vastustaa|tiltakoz|opune|αντίρρησ|възраз|prigovor"
    r"|iebildum|prieštarau|vastuväit|возраж|заперечит|itiraz"
)
_OTHERS = (COOKIE, CONSENT, DEVICE, POLICY, WITHDRAW, SETTINGS, ACCEPT, CLICK)
# The reader's browser, where a notice says its files can be blocked or deleted.
BROWSER = _family(
    r"browser|navegador|navigateur|przeglądar|prohlížeč|prehliadač|webbläsar|webläsar|selaim"
    r"|selain|böngész|πρόγραμμα περιήγησης|браузер|tarayıcı|متصفح|浏览器|瀏覽器|ブラウザ"
    r"|브라우저|brskalnik|preglednik|pārlūk|naršykl|brauser"
)
_PARTS = (COOKIE, CONSENT, ASSENT, WITHDRAW, BROWSER)
_MAX_TCF = 1500
_MAX_TCF_LINE = 100
_MAX_NEAR = 300
_MAX_BUTTONS = 60


@lru_cache(maxsize=1 << 14)
def is_notice_text(text: str, edge: bool = False) -> bool:
    """Whether a short paragraph reads as a consent notice by its families of words: cookies
    stored on a device, or cookies with two of consent, policy, click, withdraw, settings
    and assent (one is enough at the ``edge`` of the page, first or last, where banners
    sit); or consent with two of click, withdraw, settings, policy and device."""
    if len(text) > _MAX_TCF:
        return False
    lowered = text.lower()
    if _is_tcf(text, lowered):
        return True
    if len(text) > _MAX_NOTICE or not any(map(lowered.__contains__, _NEEDED)):
        return False
    if _REPORTING.search(lowered) or reports(text):
        return False
    if COOKIE.search(lowered):
        # Storing on the reader's device is what notices say; other pairs need a third.
        if DEVICE.search(lowered):
            return True
        others = (CONSENT, POLICY, CLICK, WITHDRAW, SETTINGS, ASSENT)
        return sum(1 for f in others if f.search(lowered)) >= (1 if edge else 2)
    if not CONSENT.search(lowered):
        return False
    families = (CLICK, WITHDRAW, SETTINGS, POLICY, DEVICE)
    return sum(1 for f in families if f.search(lowered)) >= 2


def _tcf_texts(lowered: str) -> set[str]:
    """The framework's standard texts ``lowered`` holds."""
    return {m.group(0) for n, rx in _TCF_TEXTS if n in lowered for m in rx.finditer(lowered)}


def _names_tcf(lowered: str) -> bool:
    return any(rx.search(lowered) for n, rx in _TCF_TEXTS if n in lowered)


def is_tcf_notice(text: str) -> bool:
    """Whether a paragraph that reports nothing reads as the framework's notice: two of its
    standard texts, a short CMP line alone ("We care about your privacy", "Continue without
    agreeing"), one purpose beside another consent family, or the legal basis beside the
    right to object."""
    return len(text) <= _MAX_TCF and _is_tcf(text, text.lower())


def _is_tcf(text: str, lowered: str) -> bool:
    found = _tcf_texts(lowered)
    if not found or _REPORTING.search(lowered) or reports(text):
        return False
    if len(found) >= 2:
        return True
    if TCF_VOICE.search(lowered) and len(text) <= _MAX_TCF_LINE:
        return True
    others = sum(1 for f in _OTHERS if f.search(lowered))
    # A purpose beside any consent family; the legal basis, a word of law reports too
    # ("'legitimate interest' toggles are not valid consent"), needs the right to object or
    # two families.
    if TCF_PURPOSE.search(lowered):
        return others >= 1
    return bool(_OBJECT.search(lowered)) or others >= 2


def is_notice_part(text: str) -> bool:
    """Whether a paragraph next to a notice may belong to it on its own words (see
    ``notice_part_kind``)."""
    return notice_part_kind(text) in ("end", "sentence")


def notice_part_kind(text: str) -> str | None:
    """How a paragraph next to a notice belongs to it: ``"end"`` for what closes a notice
    (its pointer to the privacy policy, a row of Accept / Reject / Settings buttons),
    ``"sentence"`` for one more sentence of its own about cookies, consent, the reader's
    assent or withdrawing it ("if you read on, you agree") or the reader's browser where
    the files are blocked; ``"plain"`` for a short sentence that names none of these and
    reports nothing ("Some of them belong to our advertisers"), which belongs to a notice
    only between it and its end; None when it does not (long prose, a report)."""
    lowered = text.lower()
    if len(text) > _MAX_NEAR or _REPORTING.search(lowered) or reports(text):
        return None
    if POLICY.search(lowered) or _names_tcf(lowered):
        return "end"
    if len(text) <= _MAX_BUTTONS and (ACCEPT.search(lowered) or SETTINGS.search(lowered)):
        return "end"
    return "sentence" if any(f.search(lowered) for f in _PARTS) else "plain"
