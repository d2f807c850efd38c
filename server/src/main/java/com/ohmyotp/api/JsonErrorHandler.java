package com.ohmyotp.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty answers itself, before a request reaches a route (an ambiguous or encoded-NUL
 * URL, headers too large, a malformed request line), in the same JSON error body as every other
 * error instead of Jetty's HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback)
      throws IOException {
    ErrorBody body =
        switch (code) {
          case 400 -> new ErrorBody("bad_request", "The request was not understood.");
          case 413 -> new ErrorBody("request_too_large", "The request is too large.");
          case 414 -> new ErrorBody("uri_too_long", "The request URL is too long.");
          case 431 -> new ErrorBody("headers_too_large", "The request headers are too large.");
          default ->
              code >= 500
                  ? new ErrorBody("internal_error", "Something went wrong on our side.")
                  : new ErrorBody("bad_request", "The request was not accepted.");
        };
    String json = "{\"error\":\"" + body.error() + "\",\"message\":\"" + body.message() + "\"}";
    String requestId = request.getHeaders().get("X-Request-Id");
    if (requestId == null || !HttpServer.CLIENT_REQUEST_ID.matcher(requestId).matches()) {
      requestId = UUID.randomUUID().toString();
    }
    response.getHeaders().put("X-Request-Id", requestId);
    HttpServer.SECURITY_HEADERS.forEach(response.getHeaders()::put);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
  }
}
