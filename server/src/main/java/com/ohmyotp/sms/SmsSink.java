package com.ohmyotp.sms;

/** Where number sources hand inbound SMS; answers what became of it. */
public interface SmsSink {

  /** An SMS to a number: it goes to whichever rental holds the number when it arrives. */
  Delivery deliver(InboundSms sms);

  /**
   * An SMS made for one rental (the simulator's): it goes to that rental only, while it still holds
   * the number and takes SMS, and is kept as unmatched otherwise. A rental cancelled before its
   * simulated code came never hands that code to the next renter of its number.
   */
  Delivery deliverFor(String rentalId, InboundSms sms);
}
