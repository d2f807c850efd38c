#!/bin/bash
# Rent a number, wait up to 2 min for a code, cancel if nothing arrives.

RENTAL=$(curl -s -X POST https://ohmyotp.com/api/v1/rentals \
  -H "Authorization: Bearer $API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"service_id":"Uber"}')

RENTAL_ID=$(echo "$RENTAL" | jq -r .id)
echo "Rented: $(echo "$RENTAL" | jq -r .phone_number)"

# Poll every 5s for up to 2 minutes
for i in $(seq 1 24); do
  CODE=$(curl -s https://ohmyotp.com/api/v1/rentals/$RENTAL_ID/code \
    -H "Authorization: Bearer $API_KEY" | jq -r .code)
  if [ "$CODE" != "null" ] && [ -n "$CODE" ]; then
    echo "Got code: $CODE"
    exit 0
  fi
  sleep 5
done

# Timed out — cancel to get a refund
echo "No code arrived, cancelling..."
curl -s -X POST https://ohmyotp.com/api/v1/rentals/$RENTAL_ID/cancel \
  -H "Authorization: Bearer $API_KEY"
