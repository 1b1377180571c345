# ruff: noqa: E501  (one sentence per line reads better than wrapped prose)
"""Per-language material for two more layouts of the multilingual fixtures
(bench/multilingual_pages.py): a consent notice written as plain paragraphs in the site's own
words, and a byline whose label and name sit in separate blocks.

Written for these layouts, worded apart from bench/multilingual_lang.py's CMP texts: a site
that explains cookies in its own voice ("this paper keeps small files on your computer"),
says what carrying on means ("if you read on, we take it you agree"), and points to its
policy in a sentence of its own. Fields: notice (its sentences), pointer (the policy
sentence that follows it), label (the byline label printed above the name).
"""

from __future__ import annotations

PROSE: dict[str, dict[str, object]] = {
    "en": {
        "notice": [
            "This site keeps small text files called cookies on your computer so that pages load faster and we can count visits.",
            "If you carry on reading, we will take it that you agree to this; you can change your choice whenever you like.",
        ],
        "pointer": "How we handle personal data is explained in our privacy notice.",
        "label": "Written by",
    },
    "es": {
        "notice": [
            "Este periódico guarda pequeños archivos llamados cookies en tu ordenador para recordar tus preferencias y medir la audiencia.",
            "Si sigues navegando, entenderemos que aceptas su uso, aunque puedes cambiar de opinión cuando quieras.",
        ],
        "pointer": "Consulta cómo tratamos tus datos personales en nuestro aviso de privacidad.",
        "label": "Por",
    },
    "de": {
        "notice": [
            "Damit diese Seite schnell lädt und wir Besuche zählen können, legen wir kleine Textdateien (Cookies) auf Ihrem Rechner ab.",
            "Wenn Sie weiterlesen, gehen wir davon aus, dass Sie damit einverstanden sind; Ihre Entscheidung können Sie jederzeit ändern.",
        ],
        "pointer": "Wie wir mit personenbezogenen Daten umgehen, erklärt unsere Datenschutzerklärung.",
        "label": "Von",
    },
    "fr": {
        "notice": [
            "Ce journal enregistre de petits fichiers appelés cookies sur votre ordinateur afin de mémoriser vos réglages et de compter les visites.",
            "En poursuivant votre lecture, vous acceptez leur dépôt ; vous pouvez revenir sur ce choix à tout moment.",
        ],
        "pointer": "Pour savoir comment nous traitons vos données personnelles, lisez notre politique de confidentialité.",
        "label": "Par",
    },
    "it": {
        "notice": [
            "Questo giornale salva piccoli file chiamati cookie sul tuo computer per ricordare le tue scelte e contare le visite.",
            "Se continui a leggere, consideriamo che tu sia d'accordo; puoi cambiare idea in qualsiasi momento.",
        ],
        "pointer": "Come trattiamo i dati personali è spiegato nella nostra informativa sulla privacy.",
        "label": "Di",
    },
    "pt": {
        "notice": [
            "Este jornal guarda pequenos ficheiros chamados cookies no seu computador para lembrar as suas escolhas e contar as visitas.",
            "Se continuar a ler, consideramos que concorda com a sua utilização; pode mudar de ideias quando quiser.",
        ],
        "pointer": "Saiba como tratamos os seus dados pessoais no nosso aviso de privacidade.",
        "label": "Por",
    },
    "nl": {
        "notice": [
            "Deze krant bewaart kleine tekstbestanden, cookies, op je computer om je keuzes te onthouden en bezoeken te tellen.",
            "Lees je verder, dan gaan we ervan uit dat je daarmee instemt; je kunt je keuze altijd herzien.",
        ],
        "pointer": "Hoe we met persoonsgegevens omgaan, lees je in onze privacyverklaring.",
        "label": "Door",
    },
    "pl": {
        "notice": [
            "Nasza gazeta zapisuje na Twoim komputerze niewielkie pliki zwane ciasteczkami, aby zapamiętać ustawienia i liczyć odwiedziny.",
            "Jeśli czytasz dalej, uznajemy, że się na to zgadzasz; decyzję możesz zmienić w każdej chwili.",
        ],
        "pointer": "Sposób przetwarzania danych osobowych opisuje nasza polityka prywatności.",
        "label": "Autor:",
    },
    "uk": {
        "notice": [
            "Наше видання зберігає на вашому комп'ютері невеликі файли cookie, щоб пам'ятати налаштування та рахувати відвідування.",
            "Продовжуючи читати, ви погоджуєтеся з цим; своє рішення можна змінити будь-коли.",
        ],
        "pointer": "Як ми обробляємо персональні дані, пояснює наша політика конфіденційності.",
        "label": "Автор:",
    },
    "ru": {
        "notice": [
            "Наша газета сохраняет на вашем компьютере небольшие файлы cookie, чтобы запоминать настройки и считать посещения.",
            "Продолжая чтение, вы соглашаетесь с этим; своё решение можно изменить в любой момент.",
        ],
        "pointer": "О том, как мы обрабатываем персональные данные, рассказывает наша политика конфиденциальности.",
        "label": "Автор:",
    },
    "tr": {
        "notice": [
            "Gazetemiz, tercihlerinizi hatırlamak ve ziyaretleri saymak için bilgisayarınıza çerez adı verilen küçük dosyalar kaydeder.",
            "Okumaya devam ederseniz bunu kabul ettiğinizi varsayarız; kararınızı istediğiniz zaman değiştirebilirsiniz.",
        ],
        "pointer": "Kişisel verilerinizi nasıl işlediğimizi gizlilik politikamızda bulabilirsiniz.",
        "label": "Yazan:",
    },
    "cs": {
        "notice": [
            "Naše noviny ukládají do vašeho počítače malé soubory cookie, abychom si pamatovali vaše nastavení a počítali návštěvy.",
            "Pokud budete číst dál, budeme mít za to, že s tím souhlasíte; své rozhodnutí můžete kdykoli změnit.",
        ],
        "pointer": "Jak zpracováváme osobní údaje, vysvětlují naše zásady ochrany osobních údajů.",
        "label": "Autor:",
    },
    "sv": {
        "notice": [
            "Tidningen sparar små textfiler, så kallade kakor, på din dator för att komma ihåg dina val och räkna besök.",
            "Om du fortsätter läsa utgår vi från att du godkänner det; du kan ändra dig när som helst.",
        ],
        "pointer": "Hur vi hanterar personuppgifter beskrivs i vår integritetspolicy.",
        "label": "Av",
    },
    "da": {
        "notice": [
            "Avisen gemmer små tekstfiler, såkaldte cookies, på din computer for at huske dine valg og tælle besøg.",
            "Læser du videre, går vi ud fra, at du accepterer det; du kan altid ombestemme dig.",
        ],
        "pointer": "Hvordan vi behandler personoplysninger, står i vores privatlivspolitik.",
        "label": "Af",
    },
    "fi": {
        "notice": [
            "Lehtemme tallentaa tietokoneellesi pieniä evästetiedostoja muistaakseen valintasi ja laskeakseen käynnit.",
            "Jos jatkat lukemista, oletamme että hyväksyt tämän; voit muuttaa päätöstäsi milloin tahansa.",
        ],
        "pointer": "Henkilötietojen käsittelystä kerrotaan tietosuojaselosteessamme.",
        "label": "Teksti:",
    },
    "ro": {
        "notice": [
            "Ziarul nostru salvează pe calculatorul tău mici fișiere numite cookie-uri, pentru a-ți reține alegerile și a număra vizitele.",
            "Dacă citești mai departe, considerăm că ești de acord; poți să te răzgândești oricând.",
        ],
        "pointer": "Modul în care prelucrăm datele personale este descris în politica noastră de confidențialitate.",
        "label": "Autor:",
    },
    "hu": {
        "notice": [
            "Lapunk kis szövegfájlokat, úgynevezett sütiket tárol a számítógépén, hogy megjegyezze a beállításait és megszámolja a látogatásokat.",
            "Ha tovább olvas, úgy tekintjük, hogy ezt elfogadja; döntését bármikor megváltoztathatja.",
        ],
        "pointer": "A személyes adatok kezeléséről adatvédelmi tájékoztatónk szól.",
        "label": "Szerző:",
    },
    "el": {
        "notice": [
            "Η εφημερίδα μας αποθηκεύει στον υπολογιστή σας μικρά αρχεία cookie για να θυμάται τις επιλογές σας και να μετρά τις επισκέψεις.",
            "Αν συνεχίσετε την ανάγνωση, θεωρούμε ότι συμφωνείτε· μπορείτε να αλλάξετε γνώμη όποτε θέλετε.",
        ],
        "pointer": "Το πώς επεξεργαζόμαστε τα προσωπικά δεδομένα εξηγείται στην πολιτική απορρήτου μας.",
        "label": "Συντάκτης:",
    },
    "ar": {
        "notice": [
            "تحفظ صحيفتنا ملفات صغيرة تسمى ملفات تعريف الارتباط على حاسوبك لتتذكر اختياراتك وتحصي الزيارات.",
            "إذا واصلت القراءة فإننا نعتبر أنك توافق على ذلك، ويمكنك تغيير رأيك في أي وقت.",
        ],
        "pointer": "تشرح سياسة الخصوصية لدينا كيف نعالج بياناتك الشخصية.",
        "label": "بقلم:",
    },
    "zh": {
        "notice": [
            "本报网站会在您的电脑上保存名为Cookie的小文件，用于记住您的设置并统计访问量。",
            "继续阅读即表示您同意这样做，您可以随时改变主意。",
        ],
        "pointer": "我们如何处理个人数据，请参阅我们的隐私政策。",
        "label": "作者：",
    },
    "ja": {
        "notice": [
            "当サイトでは、設定を記憶し訪問数を数えるために、クッキーと呼ばれる小さなファイルをお使いのコンピューターに保存します。",
            "このまま読み進めると、これに同意したものとみなします。選択はいつでも変更できます。",
        ],
        "pointer": "個人データの取り扱いについてはプライバシーポリシーをご覧ください。",
        "label": "文：",
    },
    "ko": {
        "notice": [
            "본 신문사는 설정을 기억하고 방문자 수를 세기 위해 쿠키라는 작은 파일을 이용자의 컴퓨터에 저장합니다.",
            "계속 읽으시면 이에 동의하신 것으로 간주하며, 언제든지 선택을 바꿀 수 있습니다.",
        ],
        "pointer": "개인정보를 어떻게 처리하는지는 개인정보 처리방침에서 확인하실 수 있습니다.",
        "label": "글:",
    },
    "sk": {
        "notice": [
            "Naše noviny ukladajú do vášho počítača malé súbory cookie, aby si pamätali vaše nastavenia a počítali návštevy.",
            "Ak budete čítať ďalej, budeme predpokladať, že s tým súhlasíte; svoje rozhodnutie môžete kedykoľvek zmeniť.",
        ],
        "pointer": "Ako spracúvame osobné údaje, vysvetľujú naše zásady ochrany súkromia.",
        "label": "Autor:",
    },
    "bg": {
        "notice": [
            "Вестникът ни запазва на компютъра ви малки файлове, наречени бисквитки, за да помни настройките ви и да брои посещенията.",
            "Ако продължите да четете, приемаме, че сте съгласни; можете да промените решението си по всяко време.",
        ],
        "pointer": "Как обработваме личните данни, обяснява нашата политика за поверителност.",
        "label": "Автор:",
    },
}
