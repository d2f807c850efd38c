package com.ohmyotp.upstream;

import java.util.Map;

/**
 * An upstream provider as the operator configured it; its API key is not part of it (see {@link
 * Providers#apiKey}).
 *
 * @param url the provider's {@code handler_api.php}
 * @param country the protocol's id of the country to ask for by default, or null for the provider's
 *     own default
 * @param services the provider's code of each of our services it sells, by our service name
 * @param priority lower first, when a service's providers are tried in the operator's order
 */
public record Provider(
    int id,
    String name,
    String url,
    Integer country,
    PriceRule priceRule,
    int priority,
    Map<String, String> services,
    long createdAt) {}
