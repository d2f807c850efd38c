# 1. Create rental
RENTAL=$(curl -s -X POST https://ohmyotp.com/api/v1/rentals \
  -H "Authorization: Bearer $API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"service_id":"Uber"}')

RENTAL_ID=$(echo "$RENTAL" | jq -r .id)
PHONE=$(echo "$RENTAL" | jq -r .phone_number)
echo "Phone: $PHONE"

# 2. Poll for code (every 5s, up to 10 min)
for i in $(seq 1 120); do
  CODE=$(curl -s https://ohmyotp.com/api/v1/rentals/$RENTAL_ID/code \
    -H "Authorization: Bearer $API_KEY" | jq -r .code)
  if [ "$CODE" != "null" ]; then
    echo "Got code: $CODE"
    break
  fi
  sleep 5
done
