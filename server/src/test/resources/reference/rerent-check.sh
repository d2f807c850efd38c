curl -X POST https://ohmyotp.com/api/v1/rentals/rerent/check \
  -H "Authorization: Bearer $API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "service_id":"Uber",
    "phone_numbers":["3026873874","3125550001"]
  }'
