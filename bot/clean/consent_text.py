"""Tell whether one paragraph of text is a cookie/consent notice addressed to the reader.

A notice speaks for the site ("we use cookies", "nuestro sitio web utiliza cookies") or to the
reader ("to improve your experience", "¿Está de acuerdo?", "click accept") about cookies, consent
or the privacy policy. An article that reports on cookies ("the regulator fined the company over
its cookie banner") talks about third parties and uses reporting words; it is kept. Eight
languages: en, es, de, fr, it, pt, nl, pl.
"""

from __future__ import annotations

import re


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace into one space and strip the ends."""
    # str.split() splits on exactly what re's \s matches, several times faster than re.sub.
    return " ".join(text.split())


# Chinese and Japanese write words without spaces: two such characters count as one word.
_IDEOGRAPHS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def word_count(text: str) -> int:
    """Words in ``text``, in any script (runs between spaces, plus ideographs by two)."""
    return len(text.split()) + len(_IDEOGRAPHS.findall(text)) // 2


def _rx(*parts: str) -> re.Pattern[str]:
    # Matched against lower-cased text: re.I makes Python's engine several times slower on
    # alternations like these.
    return re.compile("|".join(f"(?:{p})" for p in parts))


# Things a notice is about.
_TOPIC = _rx(
    r"\bcookies?\b",
    r"\bciasteczk\w*",
    r"\bpliki?\w* cookie",
    r"\b(similar|tracking) technolog",
    r"\btecnolog[ií]as? (similares|de seguimiento)",
    r"\bähnliche technologien",
    r"\btechnologies similaires",
    r"\btecnologie (simili|di tracciamento)",
    r"\bstore and/or access information on a device",
    r"\bconsent(ement|imiento|imento)?\b",
    r"\bconsenso\b",
    r"\beinwilligung",
    r"\btoestemming",
    r"\bzgod[ayęę]\b",
    r"\bgdpr\b|\brgpd\b|\bdsgvo\b|\brodo\b|\bavg\b",
)

# The site speaking: "we use cookies", "este sitio web utiliza cookies", "wir verwenden".
_SITE_VOICE = _rx(
    r"\b(we|this (web)?site|our (web)?site|this page|the site|we and our (partners|vendors))"
    r"( and (our|selected) (partners|vendors))? (use|uses|are using|may use|place|set|store"
    r"|would like to use|collect)\b",
    r"\b(nosotros|nuestro sitio( web)?|nuestra (web|p[aá]gina)|este sitio( web)?|esta (web"
    r"|p[aá]gina)"
    r"|este portal)( y (nuestros|sus) (socios|proveedores))? (utiliza|usa|emplea|utilizamos)\b",
    r"\b(utilizamos|usamos|empleamos) (cookies|galletas|tecnolog)",
    r"\b(wir|diese (web)?seite|diese website|unsere (web)?seite"
    r"|unsere website)( und unsere partner)?"
    r" (verwende[nt]|nutz(en|t)|setz(en|t)|benutz(en|t)|speicher(n|t))\b",
    r"\b(nous|ce site( web| internet)?|notre site)( et nos partenaires)? (utilis(ons|e)"
    r"|d[ée]pos(ons|e)|stockons)\b",
    r"\b(utilizziamo|usiamo) (i |dei )?cookie",
    r"\b(questo sito( web)?|il nostro sito)( e (i nostri|terze) \w+)? (utilizza|usa|impiega)\b",
    r"\b(utilizamos|usamos|este site|o nosso site|nosso site)( e (os nossos|nossos) parceiros)?"
    r" ?(utiliza|usa)?\b.{0,40}\bcookies",
    r"\b(wij|we|deze (web)?site|onze (web)?site)( en onze partners)? (gebruik(en|t)|plaats(en"
    r"|t))\b",
    r"\b(używamy|wykorzystujemy|stosujemy|nasz[a]? (serwis|strona)|ten serwis|ta strona)"
    r"( i nasi partnerzy)? ?(używa|wykorzystuje|stosuje)?\b.{0,40}\b(cookie|ciasteczk)",
)

# The reader addressed: your experience, your device, do you agree, click/accept.
_READER = _rx(
    r"\byour (experience|browsing|device|consent|preferences|choices?|settings|privacy|data"
    r"|visit)\b",
    r"\b(you (agree|accept|consent)|do you agree|are you (ok|okay) with)\b",
    r"\b(click|tap|press)(ing)? (on )?[\"“'‘]?(accept|agree|ok|allow|reject|manage|settings"
    r"|the button|here)",
    r"\bby (continuing|clicking|using|browsing|scrolling|staying)\b",
    r"\b(accept|allow|reject|decline|refuse|manage|customi[sz]e|configure)( all| necessary"
    r"| essential| optional)? (cookies|consent|preferences|settings)\b",
    r"\b(accept all|reject all|allow all|deny all|manage (options|preferences|settings)"
    r"|cookie settings|privacy settings)\b",
    r"\b(su|tu) (experiencia|navegaci[oó]n|consentimiento|dispositivo|privacidad)\b",
    r"\b(¿)?(est[aá]s?|est[aá]) de acuerdo\??",
    r"\b(haga|haz) clic\b|\bpulse?\b|\bal (continuar|navegar|hacer clic)\b|\bsi contin[uú]a\b",
    r"\b(aceptar|rechazar|configurar)( todas)?( las)? cookies\b|\baceptar todo\b",
    r"\b(ihre[nmrs]?|ihr) (erfahrung|nutzererlebnis|einwilligung|zustimmung|endger[aä]t|browser"
    r"|besuch|daten|auswahl)\b",
    r"\b(klicken sie|durch (die weitere )?nutzung|wenn sie (auf|die|diese)|sind sie einverstanden"
    r"|stimmen sie)\b",
    r"\balle (cookies )?(akzeptieren|ablehnen|zulassen|annehmen)\b|\beinstellungen verwalten\b",
    r"\b(votre|vos) (exp[ée]rience|navigation|consentement|appareil|terminal|choix"
    r"|pr[ée]f[ée]rences"
    r"|donn[ée]es)\b",
    r"\b(en (poursuivant|continuant|cliquant)|cliquez|acceptez-vous|vous acceptez)\b",
    r"\b(tout accepter|tout refuser|accepter et fermer|continuer sans accepter)\b",
    r"\b(tua|vostra|sua) (esperienza|navigazione|consenso|dispositivo)\b",
    r"\b(cliccando|proseguendo|continuando (la|a) naviga\w*|clicca|accetti|acconsenti)\b",
    r"\b(accetta|rifiuta) (tutti|i cookie)\b",
    r"\b(sua|tua) (experi[eê]ncia|navega[cç][aã]o|consentimento)\b",
    r"\b(ao (continuar|clicar|navegar)|clique|concorda|voc[eê] aceita)\b",
    r"\b(aceitar|rejeitar)( todos)?( os)? cookies\b",
    r"\b(uw|je|jouw) (ervaring|surfervaring|toestemming|apparaat|voorkeuren|bezoek)\b",
    r"\b(door (verder te gaan|te klikken|gebruik te maken)|klik op|ga je akkoord|gaat u akkoord"
    r"|akkoord gaan)\b",
    r"\b(alle )?cookies (accepteren|weigeren|toestaan)\b",
    r"\b(twoj\w*|pa[nń]stwa) (zgod\w*|urz[aą]dzeni\w*|przegl[aą]dark\w*|do[sś]wiadcze\w*)\b",
    r"\b(klikaj[aą]c|kliknij|korzystaj[aą]c z (serwisu|strony)|wyra[zż]asz zgod[eę]"
    r"|akceptuj[eę]|zaakceptuj)\b",
    r"\b(polityk\w+ prywatno[sś]ci|polityk\w+ (plik[oó]w )?cookies)\b",
)

# The reader's own tick-box consent under a form: "I agree that … may contact me".
_SELF_CONSENT = _rx(
    r"\bi (agree|consent|accept|acknowledge|have read)\b",
    r"\b(acepto|he le[ií]do|doy mi consentimiento)\b",
    r"\b(ich (stimme|willige|akzeptiere|habe die)|ich bin einverstanden)\b",
    r"\b(j'accepte|je consens|j'ai lu)\b",
    r"\b(accetto|acconsento|ho letto)\b",
    r"\b(concordo|aceito|li e aceito)\b",
    r"\b(ik ga akkoord|ik accepteer|ik heb .{0,20} gelezen)\b",
    r"\b(wyra[zż]am zgod[eę]|akceptuj[eę] regulamin|zapozna[lł]em si[eę])\b",
)

# A pointer to the policy, which notices end with.
_POLICY = _rx(
    r"\b(privacy|cookie) (policy|notice|statement)\b",
    r"\bpol[ií]tica de (privacidad|cookies|privacidade)\b",
    r"\bdatenschutz(erkl[aä]rung|hinweise?|richtlinie)\b|\bcookie-?richtlinie\b",
    r"\bpolitique de (confidentialit[ée]|cookies)\b|\bgestion des cookies\b",
    r"\b(informativa|politica) (sulla )?(privacy|cookie)\b|\bcookie policy\b",
    r"\b(privacybeleid|privacyverklaring|cookiebeleid|cookieverklaring)\b",
    r"\bpolityk\w+ (prywatno[sś]ci|cookies)\b",
)

# Words of a news report about cookies: a notice never reports, quotes or fines.
_REPORTING = _rx(
    r"\b(said|says|told|according to|announced|reported|fined?|fines|regulators?|watchdog|court"
    r"|ruling|lawsuit|commission|authority|million|billion|investigation|complaints?)\b",
    r"\b(dijo|afirm[oó]|seg[uú]n|multa(do|da|r)?|regulador|tribunal|autoridad|millones)\b",
    r"\b(sagte|laut|bu[sß]geld|strafe|beh[oö]rde|gericht|millionen|aufsicht\w*)\b",
    r"\b(a d[ée]clar[ée]|selon|amende|r[ée]gulateur|tribunal|autorit[ée]|millions|cnil)\b",
    r"\b(ha detto|secondo|multa|sanzione|garante|tribunale|autorit[aà]|milioni)\b",
    r"\b(disse|segundo|multa|coima|regulador|tribunal|autoridade|milh[oõ]es)\b",
    r"\b(zei|volgens|boete|toezichthouder|rechter|autoriteit|miljoen)\b",
    r"\b(powiedzia[lł]\w*|wed[lł]ug|kar[aąy]|grzywn\w*|regulator|s[aą]d|urz[aą]d|milion\w*|uodo)\b",
)

# Lines that are nothing but a consent button or heading.
_BUTTON = re.compile(
    r"^(accept( all)?( cookies)?|reject( all)?|allow( all)?( cookies)?|deny|decline|agree"
    r"|i agree|i accept|ok(ay)?,? (i agree|got it)?|got it|manage (options|preferences|settings"
    r"|cookies)|cookie (settings|preferences|policy)|privacy (settings|preferences)|more options"
    r"|we value your privacy|your privacy choices|aceptar( todo| todas| cookies)?|rechazar( todo)?"
    r"|configurar( cookies)?|configuraci[oó]n de cookies|alle (akzeptieren|ablehnen)|akzeptieren"
    r"|ablehnen|einstellungen|zustimmen|tout accepter|tout refuser|accepter|refuser"
    r"|param[eè]tres|personnaliser|accetta( tutti)?|rifiuta( tutti)?|personalizza|aceitar( todos)?"
    r"|rejeitar( todos)?|alles accepteren|accepteren|weigeren|instellingen|akceptuj[eę]?"
    r"|zaakceptuj( wszystkie)?|odrzu[cć]( wszystkie)?|ustawienia)[.!]?$",
    re.I,
)
# No notice is longer (in characters, spaces collapsed): longer blocks are not read as one.
MAX_NOTICE = 2500
_MAX_BUTTON = 40
# Every notice contains one of these; most paragraphs are ruled out by these cheap lookups.
NOTICE_STEMS = (
    "cookie",
    "consen",
    "zgod",
    "einwillig",
    "toestemm",
    "ciastecz",
    "gdpr",
    "rgpd",
    "dsgvo",
    "privac",
    "datenschutz",
    "confidentialit",
    "prywatno",
    "technolog",
    "on a device",
)


def is_consent_notice(paragraph: str) -> bool:
    """Whether ``paragraph`` is (part of) a cookie/consent notice rather than article text."""
    if is_consent_button(paragraph):
        return True
    if len(paragraph) > MAX_NOTICE * 2:
        return False
    lowered = paragraph.lower()
    if not _mentions(lowered, NOTICE_STEMS):
        return False
    text = normalize_space(lowered)
    if len(text) > MAX_NOTICE:
        return False
    if _REPORTING.search(text):
        return False
    policy = bool(_POLICY.search(text))
    # A policy link and "your data" alone are how-to prose ("read the privacy policy"): a
    # notice also names cookies, consent or tracking.
    if policy and _SELF_CONSENT.search(text):
        return True
    # Each search runs only when the answer still depends on it.
    if not _TOPIC.search(text):
        return False
    site = bool(_SITE_VOICE.search(text))
    if site and (policy or len(text) < 400):
        return True
    return (site or policy) and bool(_READER.search(text))


def reports(text: str) -> bool:
    """Whether ``text`` has the words of a news report (said, fined, court…) in eight languages."""
    return bool(_REPORTING.search(text.lower()))


def _mentions(lowered: str, words: tuple[str, ...]) -> bool:
    return any(map(lowered.__contains__, words))


def is_consent_button(paragraph: str) -> bool:
    """Whether ``paragraph`` is only the label of a consent button ("Accept all", "Aceptar")."""
    return len(paragraph) <= _MAX_BUTTON and bool(_BUTTON.match(normalize_space(paragraph)))
