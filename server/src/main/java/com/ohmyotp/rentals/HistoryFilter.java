package com.ohmyotp.rentals;

import java.util.Optional;

/** History filters, already validated. */
record HistoryFilter(Optional<RentalStatus> status, boolean usedOnly, int page, int limit) {
  long offset() {
    return (long) (page - 1) * limit;
  }
}
