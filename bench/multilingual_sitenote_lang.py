# ruff: noqa: E501  (one sentence per line reads better than wrapped prose)
"""Per-language material for the "sitenote" layout of the multilingual fixtures
(bench/multilingual_pages.py): a site's own cookie notice in plain paragraphs whose follow-on
sentences carry no consent word of their own (who sets the files, how to block them in the
browser, how long they stay), then its policy sentence.

Worded apart from bench/multilingual_lang.py and bench/multilingual_prose_lang.py; the
vocabulary follows what public CMP translation files say in each language (colloquial
"куки"/"кукі" beside "cookie", "μπισκότα" beside "cookies"). Fields: notice (the sentence
that names the files), follow (its further sentences), pointer (the policy sentence).
"""

from __future__ import annotations

SITENOTE: dict[str, dict[str, object]] = {
    "en": {
        "notice": "Like most newspapers online, we place cookies on the machine you read us on, to remember your settings and to count readers.",
        "follow": [
            "A few of them belong to the firms that sell our advertising space.",
            "You are free to block them in your browser, although some pages may then load more slowly.",
        ],
        "pointer": "The details are set out in our privacy policy.",
    },
    "de": {
        "notice": "Wie die meisten Zeitungen im Netz speichern wir Cookies auf dem Gerät, mit dem Sie uns lesen, um Ihre Einstellungen zu behalten und Leser zu zählen.",
        "follow": [
            "Einige davon stammen von den Firmen, die unsere Werbeflächen vermarkten.",
            "Sie können sie in Ihrem Browser sperren, manche Seiten laden dann allerdings langsamer.",
        ],
        "pointer": "Einzelheiten stehen in unseren Datenschutzhinweisen.",
    },
    "fr": {
        "notice": "Comme la plupart des journaux en ligne, nous déposons des cookies sur l'appareil qui vous sert à nous lire, pour retenir vos réglages et compter nos lecteurs.",
        "follow": [
            "Quelques-uns appartiennent aux sociétés qui vendent nos espaces publicitaires.",
            "Libre à vous de les bloquer dans votre navigateur, certaines pages risquent alors de s'afficher plus lentement.",
        ],
        "pointer": "Tout est détaillé dans notre politique de confidentialité.",
    },
    "it": {
        "notice": "Come quasi tutti i giornali online, salviamo dei cookie sul dispositivo con cui ci leggete, per ricordare le vostre impostazioni e contare i lettori.",
        "follow": [
            "Alcuni appartengono alle società che vendono i nostri spazi pubblicitari.",
            "Potete bloccarli dal vostro browser, ma alcune pagine potrebbero caricarsi più lentamente.",
        ],
        "pointer": "I dettagli sono spiegati nella nostra informativa sulla privacy.",
    },
    "es": {
        "notice": "Como casi todos los diarios digitales, guardamos cookies en el aparato desde el que nos lees para recordar tus ajustes y contar lectores.",
        "follow": [
            "Algunas pertenecen a las empresas que comercializan nuestros espacios publicitarios.",
            "Puedes bloquearlas en tu navegador, aunque entonces algunas páginas tardarán más en cargar.",
        ],
        "pointer": "Lo explicamos con detalle en nuestra política de privacidad.",
    },
    "pt": {
        "notice": "Como a maioria dos jornais online, guardamos cookies no aparelho em que nos lê, para lembrar as suas definições e contar leitores.",
        "follow": [
            "Alguns pertencem às empresas que vendem os nossos espaços publicitários.",
            "Pode bloqueá-los no seu navegador, embora algumas páginas possam então demorar mais a abrir.",
        ],
        "pointer": "Os pormenores estão na nossa política de privacidade.",
    },
    "nl": {
        "notice": "Zoals de meeste kranten online zetten wij cookies op het apparaat waarop u ons leest, om uw instellingen te onthouden en lezers te tellen.",
        "follow": [
            "Een paar daarvan zijn van de bedrijven die onze advertentieruimte verkopen.",
            "U kunt ze in uw browser blokkeren, al laden sommige pagina's dan trager.",
        ],
        "pointer": "Alle details staan in ons privacybeleid.",
    },
    "pl": {
        "notice": "Jak większość gazet w sieci zapisujemy pliki cookie na urządzeniu, na którym nas czytasz, aby pamiętać Twoje ustawienia i liczyć czytelników.",
        "follow": [
            "Część z nich należy do firm, które sprzedają nasze powierzchnie reklamowe.",
            "Możesz je zablokować w swojej przeglądarce, choć niektóre strony będą się wtedy wolniej wczytywać.",
        ],
        "pointer": "Szczegóły opisuje nasza polityka prywatności.",
    },
    "cs": {
        "notice": "Stejně jako většina novin na internetu ukládáme do zařízení, na kterém nás čtete, soubory cookies, abychom si pamatovali vaše nastavení a počítali čtenáře.",
        "follow": [
            "Některé z nich patří firmám, které prodávají naši reklamní plochu.",
            "Ve svém prohlížeči je můžete zablokovat, některé stránky se pak ale mohou načítat pomaleji.",
        ],
        "pointer": "Podrobnosti popisují naše zásady ochrany osobních údajů.",
    },
    "sk": {
        "notice": "Ako väčšina novín na internete ukladáme do zariadenia, na ktorom nás čítate, súbory cookies, aby sme si pamätali vaše nastavenia a počítali čitateľov.",
        "follow": [
            "Niektoré z nich patria firmám, ktoré predávajú našu reklamnú plochu.",
            "Vo svojom prehliadači ich môžete zablokovať, niektoré stránky sa však potom môžu načítavať pomalšie.",
        ],
        "pointer": "Podrobnosti nájdete v našich zásadách ochrany osobných údajov.",
    },
    "sv": {
        "notice": "Som de flesta tidningar på nätet sparar vi kakor på den enhet du läser oss på, för att komma ihåg dina inställningar och räkna läsare.",
        "follow": [
            "Några av dem tillhör företagen som säljer våra annonsytor.",
            "Du kan blockera dem i din webbläsare, men vissa sidor kan då laddas långsammare.",
        ],
        "pointer": "Mer om detta står i vår integritetspolicy.",
    },
    "da": {
        "notice": "Som de fleste netaviser gemmer vi cookies på den enhed, du læser os på, for at huske dine indstillinger og tælle læsere.",
        "follow": [
            "Nogle af dem tilhører de firmaer, der sælger vores annoncepladser.",
            "Du kan blokere dem i din browser, men nogle sider kan så indlæses langsommere.",
        ],
        "pointer": "Detaljerne står i vores privatlivspolitik.",
    },
    "fi": {
        "notice": "Kuten useimmat verkkolehdet, tallennamme evästeitä laitteelle, jolla luet meitä, jotta muistaisimme asetuksesi ja voisimme laskea lukijat.",
        "follow": [
            "Osa niistä kuuluu yrityksille, jotka myyvät mainostilaamme.",
            "Voit estää ne selaimessasi, mutta jotkin sivut voivat silloin latautua hitaammin.",
        ],
        "pointer": "Tarkemmat tiedot löytyvät tietosuojaselosteestamme.",
    },
    "hu": {
        "notice": "A legtöbb internetes újsághoz hasonlóan sütiket tárolunk azon az eszközön, amelyen olvas minket, hogy megjegyezzük a beállításait és megszámoljuk az olvasókat.",
        "follow": [
            "Némelyikük a hirdetési felületeinket értékesítő cégekhez tartozik.",
            "A böngészőjében letilthatja őket, de egyes oldalak ekkor lassabban töltődhetnek be.",
        ],
        "pointer": "A részleteket adatvédelmi tájékoztatónk ismerteti.",
    },
    "ro": {
        "notice": "Ca majoritatea ziarelor online, salvăm cookie-uri pe dispozitivul de pe care ne citiți, pentru a ține minte setările dumneavoastră și a număra cititorii.",
        "follow": [
            "Unele dintre ele aparțin firmelor care vând spațiile noastre publicitare.",
            "Le puteți bloca din browser, însă unele pagini s-ar putea încărca apoi mai greu.",
        ],
        "pointer": "Detaliile se află în politica noastră de confidențialitate.",
    },
    "bg": {
        "notice": "Като повечето онлайн вестници записваме бисквитки на устройството, от което ни четете, за да помним настройките ви и да броим читателите.",
        "follow": [
            "Някои от тях принадлежат на фирмите, които продават рекламните ни площи.",
            "Можете да ги блокирате в браузъра си, но тогава някои страници може да се зареждат по-бавно.",
        ],
        "pointer": "Подробностите са описани в нашата политика за поверителност.",
    },
    "el": {
        "notice": "Όπως οι περισσότερες εφημερίδες στο διαδίκτυο, αποθηκεύουμε μπισκότα στη συσκευή από την οποία μας διαβάζετε, για να θυμόμαστε τις ρυθμίσεις σας και να μετράμε τους αναγνώστες.",
        "follow": [
            "Ορισμένα ανήκουν στις εταιρείες που πουλούν τους διαφημιστικούς μας χώρους.",
            "Μπορείτε να τα μπλοκάρετε από το πρόγραμμα περιήγησής σας, όμως κάποιες σελίδες ίσως φορτώνουν πιο αργά.",
        ],
        "pointer": "Οι λεπτομέρειες περιγράφονται στην πολιτική απορρήτου μας.",
    },
    "ru": {
        "notice": "Как и большинство интернет-газет, мы сохраняем куки на вашем устройстве, чтобы помнить ваши настройки и считать читателей.",
        "follow": [
            "Часть из них принадлежит компаниям, которые продают наши рекламные места.",
            "Вы можете заблокировать их в своём браузере, но тогда некоторые страницы будут открываться медленнее.",
        ],
        "pointer": "Подробности описаны в нашей политике конфиденциальности.",
    },
    "uk": {
        "notice": "Як і більшість інтернет-газет, ми зберігаємо кукі на пристрої, з якого ви нас читаєте, щоб пам'ятати ваші налаштування та рахувати читачів.",
        "follow": [
            "Частина з них належить компаніям, що продають наші рекламні місця.",
            "Ви можете заблокувати їх у своєму браузері, але деякі сторінки тоді відкриватимуться повільніше.",
        ],
        "pointer": "Докладніше про це йдеться в нашій політиці конфіденційності.",
    },
    "tr": {
        "notice": "Çoğu internet gazetesi gibi biz de ayarlarınızı hatırlamak ve okurları saymak için bizi okuduğunuz cihaza çerezler kaydediyoruz.",
        "follow": [
            "Bunların bir kısmı reklam alanlarımızı satan şirketlere aittir.",
            "Onları tarayıcınızdan engelleyebilirsiniz, ancak bazı sayfalar o zaman daha yavaş açılabilir.",
        ],
        "pointer": "Ayrıntılar gizlilik politikamızda anlatılıyor.",
    },
}
