package com.ohmyotp.api;

/** The body of every error response: {@code {"error": "...", "message": "..."}}. */
public record ErrorBody(String error, String message) {}
