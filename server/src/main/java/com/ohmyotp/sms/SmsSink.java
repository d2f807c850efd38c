package com.ohmyotp.sms;

import java.util.Optional;

/** Where number sources hand inbound SMS; answers the rental it went to, empty if unmatched. */
@FunctionalInterface
public interface SmsSink {
  Optional<String> deliver(InboundSms sms);
}
