curl -X POST "https://ohmyotp.com/api/v1/rentals/rerent?idempotency_key=rerent-20260515-0001" \
  -H "Authorization: Bearer $API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"service_id":"Uber","phone_number":"3026873874"}'
