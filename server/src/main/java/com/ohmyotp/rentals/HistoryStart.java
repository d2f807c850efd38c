package com.ohmyotp.rentals;

/**
 * The first row of a history page, as its sort key ({@code rented_at} then {@code id}, both
 * descending): the row itself when {@code inclusive}, else the first row after it.
 */
record HistoryStart(long rentedAt, String id, boolean inclusive) {}
