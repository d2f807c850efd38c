package com.ohmyotp.smsactivate;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The SMS-Activate protocol's country ids, which its clients send instead of country codes: 187 is
 * the USA, 0 Russia, 16 the United Kingdom. Id 12, the original service's "virtual" US numbers,
 * reads as the USA too: numbers here are not told apart that way.
 */
public final class Countries {

  /** One country of the protocol: its id, its ISO 3166 two-letter code and its English name. */
  public record Country(int id, String iso, String name) {}

  private static final int USA_VIRTUAL = 12;

  private static final List<Country> ALL =
      List.of(
          new Country(0, "RU", "Russia"),
          new Country(1, "UA", "Ukraine"),
          new Country(2, "KZ", "Kazakhstan"),
          new Country(3, "CN", "China"),
          new Country(4, "PH", "Philippines"),
          new Country(5, "MM", "Myanmar"),
          new Country(6, "ID", "Indonesia"),
          new Country(7, "MY", "Malaysia"),
          new Country(8, "KE", "Kenya"),
          new Country(9, "TZ", "Tanzania"),
          new Country(10, "VN", "Vietnam"),
          new Country(11, "KG", "Kyrgyzstan"),
          new Country(USA_VIRTUAL, "US", "USA (virtual)"),
          new Country(13, "IL", "Israel"),
          new Country(14, "HK", "Hong Kong"),
          new Country(15, "PL", "Poland"),
          new Country(16, "GB", "United Kingdom"),
          new Country(17, "MG", "Madagascar"),
          new Country(19, "NG", "Nigeria"),
          new Country(20, "MO", "Macau"),
          new Country(21, "EG", "Egypt"),
          new Country(22, "IN", "India"),
          new Country(23, "IE", "Ireland"),
          new Country(24, "KH", "Cambodia"),
          new Country(25, "LA", "Laos"),
          new Country(26, "HT", "Haiti"),
          new Country(27, "CI", "Ivory Coast"),
          new Country(28, "GM", "Gambia"),
          new Country(29, "RS", "Serbia"),
          new Country(30, "YE", "Yemen"),
          new Country(31, "ZA", "South Africa"),
          new Country(32, "RO", "Romania"),
          new Country(33, "CO", "Colombia"),
          new Country(34, "EE", "Estonia"),
          new Country(35, "AZ", "Azerbaijan"),
          new Country(36, "CA", "Canada"),
          new Country(37, "MA", "Morocco"),
          new Country(38, "GH", "Ghana"),
          new Country(39, "AR", "Argentina"),
          new Country(40, "UZ", "Uzbekistan"),
          new Country(41, "CM", "Cameroon"),
          new Country(42, "TD", "Chad"),
          new Country(43, "DE", "Germany"),
          new Country(44, "LT", "Lithuania"),
          new Country(45, "HR", "Croatia"),
          new Country(47, "IQ", "Iraq"),
          new Country(48, "NL", "Netherlands"),
          new Country(52, "TH", "Thailand"),
          new Country(54, "MX", "Mexico"),
          new Country(56, "ES", "Spain"),
          new Country(62, "TR", "Turkey"),
          new Country(73, "BR", "Brazil"),
          new Country(78, "FR", "France"),
          new Country(86, "IT", "Italy"),
          new Country(117, "PT", "Portugal"),
          new Country(175, "AU", "Australia"),
          new Country(187, "US", "USA"));

  private static final Map<Integer, Country> BY_ID =
      ALL.stream().collect(Collectors.toUnmodifiableMap(Country::id, Function.identity()));

  /** Each ISO code's own id: the USA's numbers are listed under 187, not under 12. */
  private static final Map<String, Country> BY_ISO =
      ALL.stream()
          .filter(c -> c.id() != USA_VIRTUAL)
          .collect(Collectors.toUnmodifiableMap(Country::iso, Function.identity()));

  private Countries() {}

  /** The country a client names by the protocol's id. */
  public static Optional<Country> byId(int id) {
    return Optional.ofNullable(BY_ID.get(id));
  }

  /** The country numbers of an ISO 3166 code are listed under. */
  public static Optional<Country> byIso(String iso) {
    return Optional.ofNullable(BY_ISO.get(iso));
  }

  /** Every country of the table. */
  public static List<Country> all() {
    return ALL;
  }
}
