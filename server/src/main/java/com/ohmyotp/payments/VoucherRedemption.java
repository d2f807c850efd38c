package com.ohmyotp.payments;

import java.util.Map;

/** Top-up by a prepaid voucher's code, with wrong guesses throttled as on the API. */
public final class VoucherRedemption implements TopUpMethod {

  private final Vouchers vouchers;
  private final PaymentRoutes.RedeemThrottle throttle;

  public VoucherRedemption(Vouchers vouchers, PaymentRoutes.RedeemThrottle throttle) {
    this.vouchers = vouchers;
    this.throttle = throttle;
  }

  @Override
  public String name() {
    return "voucher";
  }

  @Override
  public TopUp start(
      long accountId, String clientAddress, Map<String, String> form, String origin) {
    Vouchers.Redeemed redeemed =
        throttle.redeem(accountId, clientAddress, form.get("code"), vouchers);
    return new TopUp.Credited(redeemed.amount(), redeemed.balance());
  }
}
