curl -X POST https://ohmyotp.com/api/v1/rentals/$RENTAL_ID/cancel \
  -H "Authorization: Bearer $API_KEY"
