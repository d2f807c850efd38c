/**
 * Rentals, by use case: renting and re-renting ({@link com.ohmyotp.rentals.Renting}); reading,
 * polling, cancelling and the active list ({@link com.ohmyotp.rentals.Rentals}); history ({@link
 * com.ohmyotp.rentals.RentalHistory}) and the re-rent check ({@link
 * com.ohmyotp.rentals.RerentCheck}); expiry ({@link com.ohmyotp.rentals.Expiry}); an inbound SMS
 * reaching its rental ({@link com.ohmyotp.rentals.SmsDelivery}); the fresh numbers each service has
 * ({@link com.ohmyotp.rentals.Availability}). The rules they apply are plain functions: {@link
 * com.ohmyotp.rentals.Lifecycle} and {@link com.ohmyotp.rentals.Eligibility}.
 *
 * <h2>Lock order</h2>
 *
 * <p>Every transaction that changes a rental, a number, a count or a balance takes its row locks in
 * this order, skipping what it does not touch, so that no two transactions ever wait for each
 * other:
 *
 * <ol>
 *   <li>the rental row ({@code RentalStore.lock}, {@code SELECT … FOR UPDATE}); a new rental has
 *       none to lock;
 *   <li>the phone number's row: a claim, a hold moved or a release is one conditional update of it;
 *   <li>count rows of sources and services ({@code source_numbers}, {@code service_usage}), several
 *       in ascending order of their key;
 *   <li>the account's rental counts ({@code account_rentals});
 *   <li>the account's balance ({@code accounts}, through {@code Ledger}), with its ledger row.
 * </ol>
 *
 * <p>The rows many transactions write, the counts and the account, come last: each is then locked
 * only from its update to the commit.
 */
package com.ohmyotp.rentals;
