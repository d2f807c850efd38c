package com.ohmyotp.rentals;

import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.inventory.Inventory;
import com.ohmyotp.inventory.PhoneNumbers;
import com.ohmyotp.push.EventLog;
import com.ohmyotp.push.EventType;
import com.ohmyotp.sms.CodeExtractor;
import com.ohmyotp.sms.Delivery;
import com.ohmyotp.sms.InboundSms;
import com.ohmyotp.sms.SmsSink;
import com.ohmyotp.sms.SmsStore;
import java.time.Clock;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands an inbound SMS to the rental holding its number. The rental row is locked first, so an SMS
 * and a cancel of the same rental are ordered: either the SMS lands (and the cancel refunds
 * nothing) or the cancel lands (and the SMS is kept as unmatched). Nothing is ever dropped.
 */
public final class SmsDelivery implements SmsSink {

  private static final Logger log = LoggerFactory.getLogger(SmsDelivery.class);

  private final Database db;
  private final Inventory inventory;
  private final PhoneNumbers phones;
  private final SmsStore smsStore;
  private final CodeExtractor extractor;
  private final Clock clock;
  private final RentalStore store;
  private final RentalCounts counts;
  private final EventLog events;

  /**
   * @param events where the SMS, and the rental's completion by it, are written as events
   */
  public SmsDelivery(
      Database db,
      Inventory inventory,
      SmsStore smsStore,
      CodeExtractor extractor,
      RentalStore store,
      RentalCounts counts,
      EventLog events,
      Clock clock) {
    this.store = store;
    this.events = events;
    this.db = db;
    this.counts = counts;
    this.inventory = inventory;
    this.phones = inventory.phones();
    this.smsStore = smsStore;
    this.extractor = extractor;
    this.clock = clock;
  }

  @Override
  public Delivery deliver(InboundSms sms) {
    return deliver(sms, Optional.empty());
  }

  @Override
  public Delivery deliverFor(String rentalId, InboundSms sms) {
    return deliver(sms, Optional.of(rentalId));
  }

  private Delivery deliver(InboundSms sms, Optional<String> forRental) {
    long now = clock.instant().getEpochSecond();
    long receivedAt = sms.receivedAt() == null ? now : sms.receivedAt();
    String code = sms.code() != null ? sms.code() : extractor.extract(sms.text()).orElse(null);
    Optional<String> e164 = phones.toE164(sms.to());
    Delivery delivery;
    try {
      delivery =
          db.inTransaction(
              h -> {
                if (e164.isEmpty()) {
                  // Seen before: nothing more is stored, in the transaction that would store it.
                  if (sms.dedupKey() != null && !smsStore.firstSighting(h, sms.dedupKey(), now)) {
                    return new Delivery.Duplicate();
                  }
                  return unmatched(h, sms, "invalid_number", receivedAt, now);
                }
                Optional<Rental> holder;
                if (sms.dedupKey() != null) {
                  RentalStore.Sighting sighting =
                      store.sightAndLockHolder(h, smsStore, sms.dedupKey(), e164.get(), now);
                  if (!sighting.first()) {
                    return new Delivery.Duplicate();
                  }
                  holder = sighting.holder();
                } else {
                  holder = store.lockHolder(h, e164.get(), now);
                }
                Optional<Rental> rental =
                    holder.filter(r -> forRental.isEmpty() || forRental.get().equals(r.id()));
                if (rental.isEmpty() || !Lifecycle.holdsNumber(rental.get(), now)) {
                  return unmatched(h, sms, "no_active_rental", receivedAt, now);
                }
                if (!Lifecycle.acceptsSms(rental.get(), receivedAt, now)) {
                  return unmatched(h, sms, "before_rental", receivedAt, now);
                }
                Pipeline writes = db.pipeline(h);
                store.addSms(
                    h,
                    writes,
                    smsStore,
                    rental.get().id(),
                    sms.from(),
                    sms.text(),
                    code,
                    receivedAt);
                events.rentalEvent(writes, rental.get().id(), EventType.SMS_RECEIVED, now);
                if (rental.get().status() == RentalStatus.ACTIVE) {
                  counts.moved(
                      writes,
                      rental.get().accountId(),
                      RentalCounts.Tally.ACTIVE,
                      RentalCounts.Tally.COMPLETED);
                  events.rentalEvent(writes, rental.get().id(), EventType.RENTAL_COMPLETED, now);
                }
                writes.run();
                return new Delivery.ToRental(rental.get().id());
              });
    } catch (RuntimeException e) {
      if (sms.dedupKey() != null && Database.isUniqueViolation(e)) {
        // The same message, posted twice at once: the other post stored it.
        delivery = new Delivery.Duplicate();
      } else {
        throw e;
      }
    }
    switch (delivery) {
      case Delivery.ToRental to ->
          log.info(
              "sms delivered to rental {} (code {})",
              to.rentalId(),
              code == null ? "not found" : "found");
      case Delivery.Unmatched unmatched ->
          log.info("sms kept as unmatched: {}", unmatched.reason());
      case Delivery.Duplicate duplicate -> log.info("sms seen before: not stored again");
    }
    return delivery;
  }

  private Delivery unmatched(Handle h, InboundSms sms, String reason, long receivedAt, long now) {
    smsStore.recordUnmatched(h, sms.to(), sms.from(), sms.text(), reason, receivedAt, now);
    return new Delivery.Unmatched(reason);
  }
}
