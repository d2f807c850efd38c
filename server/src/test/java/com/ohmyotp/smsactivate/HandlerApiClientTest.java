package com.ohmyotp.smsactivate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ohmyotp.smsactivate.HandlerApiClient.NumberReply;
import com.ohmyotp.smsactivate.HandlerApiClient.Peer;
import com.ohmyotp.smsactivate.HandlerApiClient.UpstreamException;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's side of the protocol against a peer that answers whatever each test sets. */
class HandlerApiClientTest {

  private final AtomicReference<byte[]> body = new AtomicReference<>();
  private final AtomicReference<Integer> status = new AtomicReference<>(200);
  private final AtomicReference<String> asked = new AtomicReference<>();
  private HttpServer server;
  private Peer peer;
  private final HandlerApiClient client =
      new HandlerApiClient(Duration.ofSeconds(2), Duration.ofSeconds(5));

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/stubs/handler_api.php",
        exchange -> {
          asked.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] answer = body.get();
          exchange.sendResponseHeaders(status.get(), answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          } catch (IOException e) {
            // The client gave up reading: what the too-long case wants.
          }
        });
    server.start();
    peer =
        new Peer(
            URI.create(
                "http://127.0.0.1:" + server.getAddress().getPort() + "/stubs/handler_api.php"),
            "peer-key");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(int code, String text) {
    status.set(code);
    body.set(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aNumberIsReadWithTheKeyInTheFormNotTheAddress() throws Exception {
    answer(200, "ACCESS_NUMBER:123456:79001234567\n");

    NumberReply reply = client.getNumber(peer, "ub", 12, new BigDecimal("0.40"));

    assertThat(reply).isEqualTo(new NumberReply.Number("123456", "+79001234567"));
    assertThat(asked.get())
        .contains("api_key=peer-key")
        .contains("action=getNumber")
        .contains("service=ub")
        .contains("country=12")
        .contains("maxPrice=0.40");
  }

  @Test
  void anAnswerPastTheLimitIsRefusedWithoutReadingItAll() {
    body.set(new byte[HandlerApiClient.MAX_ANSWER_BYTES + 1]);

    assertThatThrownBy(() -> client.getBalance(peer))
        .isInstanceOf(UpstreamException.class)
        .hasMessage("answer too long");
  }

  @Test
  void anAnswerAtTheLimitIsRead() throws Exception {
    byte[] padded = new byte[HandlerApiClient.MAX_ANSWER_BYTES];
    byte[] word = "ACCESS_BALANCE:12.50".getBytes(StandardCharsets.US_ASCII);
    java.util.Arrays.fill(padded, (byte) ' ');
    System.arraycopy(word, 0, padded, 0, word.length);
    body.set(padded);

    assertThat(client.getBalance(peer)).isEqualByComparingTo("12.50");
  }

  @Test
  void aServerErrorIsAFailureAndNotAnAnswer() {
    answer(500, "ACCESS_BALANCE:1.00");

    assertThatThrownBy(() -> client.getBalance(peer))
        .isInstanceOf(UpstreamException.class)
        .hasMessage("HTTP 500");
  }
}
