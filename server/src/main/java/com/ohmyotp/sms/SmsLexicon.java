package com.ohmyotp.sms;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The words and shapes {@link CodeExtractor} reads verification texts with, in the thirty-three
 * languages it knows: English, Spanish, Portuguese, French, German, Italian, Russian, Ukrainian,
 * Turkish, Arabic, Hindi, Indonesian, Vietnamese, Thai, Chinese, Japanese, Korean, Hebrew, Persian,
 * Urdu, Bengali, Polish, Dutch, Czech, Romanian, Greek, Hungarian, Swedish, Malay, Tagalog,
 * Swahili, Kazakh and Uzbek. It is long because it is data: word lists per language, not logic.
 *
 * <p>Word lists are searched as plain text in the lower-cased message, in one walk of it that tries
 * at each position the words starting with its letter (one regular expression with as many
 * alternatives costs a hundred times more). A {@code |} at either end of an entry asks for a word
 * boundary there.
 */
final class SmsLexicon {

  private SmsLexicon() {}

  /** Words that say a text carries a one-time code. */
  static final Words VERIFICATION =
      new Words(
          // English ("code" also ends German compounds such as Bestätigungscode)
          "code",
          "|otp|",
          "|pin|",
          "|passcode",
          "|password",
          "|verif",
          "|confirm",
          "|authenti",
          "|2fa|",
          "|two-factor",
          "|one-time",
          "|one time",
          "|login|",
          "|log in|",
          "|signin|",
          "|sign in|",
          "|sign-in|",
          "|security|",
          "|access|",
          "|token|",
          "|activation",
          // Spanish, Portuguese
          "|código",
          "|codigo",
          "|clave|",
          "|contraseña",
          "|senha",
          "|verificaç",
          "|verificac",
          "|confirmaç",
          "|acesso|",
          "|acceso|",
          "|seguridad|",
          "|segurança|",
          "|seguranca|",
          "|autentica",
          "|activación",
          "|ativação",
          // French
          "|vérif",
          "|mot de passe",
          "|connexion|",
          "|sécurité|",
          "|authentif",
          "|activation",
          // German
          "|bestätigung",
          "passwort",
          "kennwort",
          "|anmeld",
          "|sicherheit",
          "|tan|",
          "|mtan|",
          "|sms-tan|",
          // Italian
          "|codice",
          "|conferma",
          "|accesso|",
          "|sicurezza|",
          // Russian, Ukrainian
          "код",
          "пароль",
          "подтвержд",
          "підтвердж",
          "|вход",
          "|вхід",
          "проверочн",
          "одноразов",
          // Turkish
          "|kod",
          "doğrulama",
          "|şifre",
          "|onay|",
          "tek kullanımlık",
          // Arabic
          "رمز",
          "كود",
          "التحقق",
          "تحقق",
          "كلمة المرور",
          "كلمة السر",
          "تأكيد",
          "تفعيل",
          // Hindi
          "कोड",
          "ओटीपी",
          "सत्यापन",
          "पासवर्ड",
          // Indonesian
          "|kode|",
          "|verifikasi",
          "|sandi|",
          "|rahasia|",
          // Vietnamese, with and without its accents (many senders strip them)
          "|mã|",
          "|ma xac",
          "xác thực",
          "xac thuc",
          "xác minh",
          "xac minh",
          "xác nhận",
          "xac nhan",
          "mật khẩu",
          "mat khau",
          "đăng nhập",
          "dang nhap",
          "kích hoạt",
          // Thai
          "รหัส",
          "ยืนยัน",
          // Chinese
          "验证码",
          "驗證碼",
          "校验码",
          "校驗碼",
          "动态码",
          "動態碼",
          "确认码",
          "確認碼",
          "代码",
          "代碼",
          "密码",
          "密碼",
          "验证",
          "驗證",
          "认证",
          "認證",
          "登录",
          "登錄",
          "口令",
          // Japanese
          "認証",
          "コード",
          "パスコード",
          "ワンタイム",
          "暗証",
          "確認番号",
          "ログイン",
          // Korean
          "인증",
          "확인번호",
          "비밀번호",
          "코드",
          // Hebrew
          "קוד",
          "אימות",
          "סיסמה",
          // Persian, Urdu
          "کد",
          "تایید",
          "تأیید",
          "ورود",
          "رمز",
          "کوڈ",
          "تصدیق",
          // Bengali
          "কোড",
          "ওটিপি",
          "যাচাই",
          "পাসওয়ার্ড",
          // Polish ("kod", like Swedish, Malay and Uzbek, is Turkish's "|kod" above)
          "weryfikac",
          "potwierdz",
          "|hasło",
          "|logowani",
          // Dutch
          "|verificatie",
          "|bevestig",
          "|inlog",
          "wachtwoord",
          // Czech ("kód" is Hungarian's below)
          "|ověř",
          "|potvrz",
          "|heslo",
          "|přihláš",
          // Romanian
          "|cod|",
          "|codul|",
          "|verificare",
          "|confirmare",
          "|parol",
          "|autentificare",
          // Greek
          "κωδικ",
          "επαλήθευσ",
          "επιβεβαίωσ",
          "σύνδεσ",
          // Hungarian
          "|kód",
          "ellenőrz",
          "megerősít",
          "|jelszó",
          "|belépés",
          // Swedish
          "engångskod",
          "|verifiering",
          "|bekräft",
          "|inloggning",
          "|lösenord",
          // Malay, Tagalog
          "|pengesahan",
          "|tac|",
          "|kata laluan",
          "|ang iyong code",
          "|beripikasyon",
          // Swahili
          "|msimbo",
          "|nambari ya siri",
          "|uthibitisho",
          "|thibitisha",
          // Kazakh, Uzbek
          "растау",
          "құпия",
          "|tasdiqlash",
          "|tasdiq",
          "|parol|");

  /**
   * Phrases that contain a verification word but name something else (a postal code, a promo code,
   * a tracking code): the word inside them does not count, and a number after them is not a code.
   */
  static final Words LOOKALIKES =
      new Words(
          "|zip code",
          "|otp bank",
          "|zipcode",
          "|post code",
          "|postcode",
          "|postal code",
          "|area code",
          "|country code",
          "|sort code",
          "|bar code",
          "|barcode",
          "|promo code",
          "|promocode",
          "|promotional code",
          "|discount code",
          "|coupon code",
          "|voucher code",
          "|gift code",
          "|referral code",
          "|tracking code",
          "|booking code",
          "|product code",
          "|item code",
          "|pincode",
          "|dress code",
          "código postal",
          "código promocional",
          "código de descuento",
          "código de desconto",
          "código de rastreio",
          "código de rastreamento",
          "código de seguimiento",
          "código de barras",
          "codigo postal",
          "|code postal",
          "|code promo",
          "|code de réduction",
          "|code de suivi",
          "gutscheincode",
          "rabattcode",
          "aktionscode",
          "postleitzahl",
          "codice sconto",
          "codice promozionale",
          "codice di tracciamento",
          "codice postale",
          "codice fiscale",
          "промокод",
          "трек-код",
          "почтовый индекс",
          "kupon kodu",
          "indirim kodu",
          "promosyon kodu",
          "takip kodu",
          "posta kodu",
          "كود خصم",
          "كود الخصم",
          "الرمز البريدي",
          "رمز بريدي",
          "प्रोमो कोड",
          "पिन कोड",
          "|kode promo",
          "|kode voucher",
          "|kode pos|",
          "|kode booking",
          "|kode pembayaran",
          "mã giảm giá",
          "mã khuyến mãi",
          "mã vận đơn",
          "mã đơn hàng",
          "mã bưu chính",
          "โค้ดส่วนลด",
          "รหัสไปรษณีย์",
          "รหัสพัสดุ",
          "优惠码",
          "兑换码",
          "取件码",
          "邮编",
          "优惠券",
          "クーポンコード",
          "郵便番号",
          "쿠폰",
          "할인코드",
          "할인 코드",
          "우편번호",
          "승인번호");

  /**
   * Words after which a number is a reference of some other kind: an order, a parcel, an account, a
   * card, an amount, a booking, an appointment, a phone number to call.
   */
  static final Words OTHER_NUMBERS =
      new Words(
          // English
          "|order",
          "|tracking",
          "|track|",
          "|parcel",
          "|package",
          "|shipment",
          "|invoice",
          "|ref|",
          "|ref.",
          "|reference",
          "|booking",
          "|reservation",
          "|ticket",
          "|flight",
          "|account",
          "|acct",
          "|a/c|",
          "|card|",
          "|ending",
          "|balance",
          "|amount",
          "|total",
          "|due|",
          "|paid|",
          "|payment",
          "|transaction",
          "|txn",
          "|customer",
          "|member",
          "|policy",
          "|case|",
          "|claim",
          "|room|",
          "|gate|",
          "|seat|",
          "|store|",
          "|branch",
          "|call|",
          "|phone",
          "|tel|",
          "|dial|",
          "|text|",
          "|reply",
          "|sms|",
          "|ext|",
          "|item",
          "|sku|",
          "|serial",
          "|appointment",
          "|point|",
          "|points|",
          "|pts|",
          "|miles|",
          "|route",
          "|bus|",
          "|train|",
          "|platform",
          "|suite|",
          "|apt|",
          "|version",
          "|model|",
          "|shipping",
          "|delivery",
          "|bill|",
          "|loan|",
          "|rx|",
          // Spanish, Portuguese
          "|pedido",
          "|orden|",
          "|seguimiento",
          "|envío",
          "|factura",
          "|referencia",
          "|reserva",
          "|cuenta",
          "|tarjeta",
          "|terminada",
          "|saldo",
          "|importe",
          "|monto",
          "|cita|",
          "|rastreamento",
          "|rastreio",
          "|encomenda",
          "|fatura",
          "|referência",
          "|conta|",
          "|cartão",
          "|final|",
          "|valor",
          "|consulta",
          "|llame",
          "|ligue",
          // French
          "|commande",
          "|suivi",
          "|colis",
          "|facture",
          "|référence",
          "|réservation",
          "|compte",
          "|carte|",
          "|solde",
          "|montant",
          "|rendez-vous",
          "|appelez",
          // German
          "|bestellung",
          "|sendung",
          "|paket",
          "|rechnung",
          "|referenz",
          "|buchung",
          "|konto",
          "|karte|",
          "|betrag",
          "|summe",
          "|auftrag",
          "|kundennummer",
          "|termin",
          "|filiale",
          // Italian
          "|ordine",
          "|spedizione",
          "|pacco",
          "|fattura",
          "|riferimento",
          "|prenotazione",
          "|conto|",
          "|carta|",
          "|importo",
          "|totale",
          "|appuntamento",
          "|chiama",
          // Russian, Ukrainian
          "заказ",
          "отправлен",
          "посылк",
          "трек",
          "счет",
          "счёт",
          "|карт",
          "баланс",
          "сумм",
          "итого",
          "запис",
          "замовлен",
          "посилк",
          "рахун",
          "звоните",
          "телефон",
          // Turkish
          "sipariş",
          "|kargo",
          "|takip",
          "|fatura",
          "|rezervasyon",
          "|hesap",
          "|kart",
          "|bakiye",
          "|tutar",
          "|toplam",
          "|randevu",
          "|arayın",
          // Arabic
          "الطلب",
          "طلبك",
          "شحنة",
          "تتبع",
          "فاتورة",
          "حجز",
          "حساب",
          "بطاقة",
          "رصيد",
          "مبلغ",
          "موعد",
          "اتصل",
          // Hindi
          "ऑर्डर",
          "ट्रैकिंग",
          "खाता",
          "कार्ड",
          "बैलेंस",
          "राशि",
          "बुकिंग",
          "अपॉइंटमेंट",
          // Indonesian
          "|pesanan",
          "|resi|",
          "|paket|",
          "|tagihan",
          "|pemesanan",
          "|rekening",
          "|kartu",
          "|jumlah",
          "|janji",
          "|hubungi",
          // Vietnamese
          "đơn hàng",
          "vận đơn",
          "hóa đơn",
          "tài khoản",
          "|thẻ|",
          "số dư",
          "số tiền",
          "lịch hẹn",
          "|gọi|",
          // Thai
          "คำสั่งซื้อ",
          "พัสดุ",
          "บัญชี",
          "บัตร",
          "ยอด",
          "จำนวนเงิน",
          "นัด",
          "โทร",
          // Chinese
          "订单",
          "訂單",
          "快递",
          "快遞",
          "运单",
          "單號",
          "单号",
          "账户",
          "帳戶",
          "尾号",
          "尾號",
          "余额",
          "餘額",
          "金额",
          "金額",
          "预约",
          "預約",
          "致电",
          "拨打",
          // Japanese
          "注文",
          "お問い合わせ番号",
          "配送",
          "伝票",
          "口座",
          "カード",
          "残高",
          "予約",
          "電話",
          // Korean
          "주문",
          "운송장",
          "배송",
          "계좌",
          "카드",
          "잔액",
          "금액",
          "예약",
          "전화",
          // Polish, Dutch, Czech, Romanian
          "zamówieni",
          "przesyłk",
          "|konto|",
          "|karta|",
          "|kwota",
          "|bestelling",
          "|pakket",
          "|rekening",
          "|bedrag",
          "objednávk",
          "zásilk",
          "|účet|",
          "|částk",
          "|comanda",
          "|comenzii",
          "|colet",
          "|suma|",
          // Greek, Hungarian, Swedish
          "παραγγελ",
          "δέμα",
          "λογαριασμ",
          "κάρτα",
          "ποσό",
          "rendelés",
          "csomag",
          "számla",
          "kártya",
          "összeg",
          "beställning",
          "|paket|",
          "|kort|",
          "|belopp",
          // Malay, Tagalog, Swahili
          "|pesanan",
          "|bungkusan",
          "|akaun",
          "|jumlah",
          "|bayad",
          "|halaga",
          "|agizo",
          "kifurushi",
          "|akaunti",
          "|kiasi",
          // Kazakh, Uzbek
          "тапсырыс",
          "|шот|",
          "buyurtma",
          "|hisob",
          "|summa",
          // Hebrew, Persian, Urdu, Bengali
          "הזמנה",
          "משלוח",
          "חשבון",
          "כרטיס",
          "סכום",
          "سفارش",
          "مرسوله",
          "کارت",
          "مبلغ",
          "آرڈر",
          "پارسل",
          "کارڈ",
          "অর্ডার",
          "পার্সেল",
          "অ্যাকাউন্ট",
          "কার্ড");

  /** Words that make a sentence a sale: a number in it is a price, a discount or a promo code. */
  static final Words PROMOTION =
      new Words(
          "|off|",
          "|discount",
          "|sale|",
          "|checkout",
          "|coupon",
          "|voucher",
          "|descuento",
          "|desconto",
          "|réduction",
          "|soldes|",
          "|rabatt",
          "|sconto",
          "скидк",
          "знижк",
          "|indirim",
          "خصم",
          "छूट",
          "|diskon",
          "giảm giá",
          "khuyến mãi",
          "ส่วนลด",
          "折",
          "割引",
          "セール",
          "할인");

  /**
   * Small words that link a subject to its value ("your code for this account <b>is</b> 1234"): a
   * reference word before one of them names the subject, not the number after it.
   */
  static final Words COPULA =
      new Words(
          "|is|",
          "|are|",
          "|es|",
          "|é|",
          "|est|",
          "|ist|",
          "|lautet|",
          "|è|",
          "|là|",
          "|la|",
          "|adalah|",
          "คือ",
          "是",
          "为",
          "為",
          "は",
          "는",
          "은",
          "هو",
          "هي");

  private static final int FLAGS =
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS;

  /** Units, currencies and street names that make the number before them something else. */
  static final Pattern UNIT_AFTER =
      Pattern.compile(
          "^\\s?(?:%|‰|°|x\\b|mins?\\b|minutes?|minutos?|minuten|minuti|минут|хвилин|dakika|دقيقة|دقائق|मिनट"
              + "|menit|phút|นาที|分钟|分鐘|分|분|h\\b|hrs?\\b|hours?|horas?|heures?|stunden?|ore\\b|час|годин|saat\\b"
              + "|ساعة|घंटे|jam\\b|giờ|ชั่วโมง|小时|時間|시간|sec\\b|seconds?|segundos?|secondes?|sekunden|secondi|секунд"
              + "|saniye|days?\\b|días|dias|jours?|tage?n?\\b|giorni|дн|gün|يوم|أيام|दिन|hari\\b|ngày|วัน|天|日|일"
              + "|számú|minut\\p{L}*|perc|λεπτ|דקות|دقیقه|منٹ|মিনিট|minit|minuto|daqiqa|godzin|hodin|óra|timm|saa\\b"
              + "|ساعت|שעות|ঘণ্টা|soat|dni\\b|dní|zile|ημέρ|nap\\b|dagar|araw|siku|күн|kun\\b"
              + "|items?\\b|pcs\\b|pts\\b|points?\\b|puntos|pontos|miles\\b|km\\b|kg\\b|gb\\b|mb\\b|ml\\b"
              + "|usd|eur|gbp|inr|rs\\b|tl\\b|rub\\b|руб|₽|грн|uah|₴|brl|mxn|idr|rp\\b|vnd|đ\\b|đồng|₫|thb|บาท|฿"
              + "|cny|rmb|元|円|jpy|krw|원|₩|sar|aed|egp|ريال|درهم|جنيه|₹|€|\\$|£|¥|₺|zł|kč|czk|pln|huf|ft\\b|kr\\b|sek|lei\\b|ron\\b|rm\\b|myr|₱|php\\b|ksh|kes\\b|₸|kzt|тг|сўм|so'm"
              + "|uzs|₪|ils\\b|تومان|ریال|৳|টাকা|bdt|pkr|روپے"
              + "|st\\b|street|ave\\b|avenue|road|rd\\b|blvd|lane|drive|calle|rue\\b|straße|str\\.)",
          FLAGS);

  /** Currencies that make the number after them a price. */
  static final Pattern CURRENCY_BEFORE =
      Pattern.compile(
          "(?:[$€£¥₹₩₫₺₽₴฿₪₸৳₱]|(?<!\\p{L})(?:r\\$|rs\\.?|inr|usd|eur|gbp|tl|rp\\.?|idr|vnd|sar|aed|egp|rm|thb|krw"
              + "|pln|czk|huf|ron|sek|ils|kzt|pkr|bdt|myr|php|ksh|kes|uzs"
              + "|jpy|cny|rmb|try|rub|uah|brl|mxn|us\\$|s\\$|a\\$|c\\$|hk\\$))\\s?$",
          FLAGS);

  /** Month names, so that a year after one is read as a date. */
  static final Pattern MONTH =
      Pattern.compile(
          "\\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|ene|abr|ago|dic|fev|mai|set|out|dez|janv|févr|avr"
              + "|juin|juil|août|déc|gen|mag|giu|lug|ott|märz|okt)[a-zé]*\\.?"
              + "|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
              + "|ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık"
              + "|januari|februari|maret|juni|juli|agustus|oktober|desember|tháng|月|월",
          FLAGS);

  /** Lower-cases one char for one char, so positions in the result are positions in the text. */
  static String lower(String text) {
    char[] chars = text.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      chars[i] = Character.toLowerCase(chars[i]);
    }
    return new String(chars);
  }

  /** A list of words searched as plain text, with optional word boundaries. */
  static final class Words {

    private final String[] words;
    private final boolean[] boundaryBefore;
    private final boolean[] boundaryAfter;
    // The words by their first character: a text is walked once, and at each position only the
    // words that can start there are tried, instead of one search of the whole text per word.
    private final java.util.Map<Character, int[]> byFirst;

    Words(String... entries) {
      words = new String[entries.length];
      boundaryBefore = new boolean[entries.length];
      boundaryAfter = new boolean[entries.length];
      java.util.Map<Character, List<Integer>> first = new java.util.HashMap<>();
      for (int i = 0; i < entries.length; i++) {
        String e = entries[i];
        boundaryBefore[i] = e.startsWith("|");
        boundaryAfter[i] = e.length() > 1 && e.endsWith("|");
        words[i] = e.substring(boundaryBefore[i] ? 1 : 0, e.length() - (boundaryAfter[i] ? 1 : 0));
        if (!words[i].isEmpty()) {
          first.computeIfAbsent(words[i].charAt(0), c -> new ArrayList<>()).add(i);
        }
      }
      byFirst = new java.util.HashMap<>();
      first.forEach(
          (c, list) -> byFirst.put(c, list.stream().mapToInt(Integer::intValue).toArray()));
    }

    /**
     * Every occurrence in {@code lower} (a lower-cased text), as [start, end) pairs, word by word
     * in the lexicon's order and each word's occurrences from the left.
     */
    List<int[]> find(String lower) {
      List<long[]> hits = new ArrayList<>();
      scan(lower, 0, lower.length(), hits, false);
      hits.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
      List<int[]> found = new ArrayList<>(hits.size());
      for (long[] hit : hits) {
        found.add(new int[] {(int) hit[1], (int) hit[1] + words[(int) hit[0]].length()});
      }
      return found;
    }

    /**
     * Whether any word occurs in {@code lower} between {@code from} and {@code to}, the part's
     * edges counting as the text's.
     */
    boolean occursIn(String lower, int from, int to) {
      return scan(lower, from, to, null, true);
    }

    /**
     * Finds [word, start] pairs in {@code lower[from, to)}; with {@code any}, stops at the first.
     */
    private boolean scan(String lower, int from, int to, List<long[]> hits, boolean any) {
      for (int at = from; at < to; at++) {
        int[] candidates = byFirst.get(lower.charAt(at));
        if (candidates == null) {
          continue;
        }
        for (int w : candidates) {
          String word = words[w];
          int end = at + word.length();
          if (end <= to
              && lower.startsWith(word, at)
              && (!boundaryBefore[w]
                  || at == from
                  || !Character.isLetterOrDigit(lower.charAt(at - 1)))
              && (!boundaryAfter[w]
                  || end == to
                  || !Character.isLetterOrDigit(lower.charAt(end)))) {
            if (any) {
              return true;
            }
            hits.add(new long[] {w, at});
          }
        }
      }
      return false;
    }
  }
}
