package com.ohmyotp.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service as an operator runs it: {@code com.ohmyotp.Main} in a JVM process of its own,
 * configured only through {@code OHMYOTP_*} environment variables, on a port it picks itself. Its
 * output is kept (not echoed) so a failing test can show it.
 */
public final class NodeProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on http://localhost:(\\d+)");

  public final String name;
  public final Process process;
  public final int port;
  public final Http http;
  public final Driver driver;
  private final StringBuffer output;
  private final Path dataDir;

  private NodeProcess(String name, Process process, int port, StringBuffer output, Path dataDir) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.output = output;
    this.dataDir = dataDir;
    this.http = new Http("http://127.0.0.1:" + port);
    this.driver = new Driver(http);
  }

  /** Settings every test node shares: the test's secrets, no simulator SMS, no demo seed. */
  public static Map<String, String> testSettings() {
    Map<String, String> env = new HashMap<>();
    env.put("OHMYOTP_ADMIN_TOKEN", Driver.ADMIN_TOKEN);
    env.put("OHMYOTP_GATEWAY_SECRET", Driver.GATEWAY_SECRET);
    // Nodes of one database open each other's sealed provider keys.
    env.put("OHMYOTP_SECRETS_KEY", "test-secrets-key-0123456789");
    env.put("OHMYOTP_SIMULATOR_DELAY", "off");
    env.put("OHMYOTP_SEED_DEMO", "false");
    env.put("OHMYOTP_RATE_LIMIT_PER_SECOND", "100000");
    env.put("OHMYOTP_RATE_LIMIT_BURST", "100000");
    return env;
  }

  /** Starts a process and waits until it listens; fails with its output if it exits first. */
  public static NodeProcess start(String name, Map<String, String> settings) {
    Launch launch = launch(name, settings);
    try {
      int port = launch.port().get(90, TimeUnit.SECONDS);
      return new NodeProcess(name, launch.process(), port, launch.output(), launch.dataDir());
    } catch (ExecutionException | TimeoutException e) {
      launch.process().destroyForcibly();
      throw new AssertionError(
          "node " + name + " did not start: " + e.getMessage() + "\n" + launch.output());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      launch.process().destroyForcibly();
      throw new IllegalStateException(e);
    }
  }

  /** Starts several nodes at the same time (they race to migrate an empty database). */
  public static List<NodeProcess> startAll(int count, Map<String, String> settings) {
    List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = "node-" + (char) ('a' + i);
      starting.add(CompletableFuture.supplyAsync(() -> start(name, settings)));
    }
    List<NodeProcess> nodes = new ArrayList<>();
    try {
      for (CompletableFuture<NodeProcess> f : starting) {
        nodes.add(f.join());
      }
    } catch (RuntimeException e) {
      nodes.forEach(NodeProcess::close);
      starting.forEach(f -> f.thenAccept(NodeProcess::close));
      throw e;
    }
    return nodes;
  }

  /** What a finished run printed and how it ended, for start-up failures. */
  public record Exit(int code, String output) {}

  /** Runs a process that is expected to stop by itself (a start-up failure); returns its exit. */
  public static Exit runToExit(Map<String, String> settings, long timeoutSeconds) {
    Launch launch = launch("failing", settings);
    try {
      if (!launch.process().waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        launch.process().destroyForcibly();
        throw new AssertionError(
            "still running after " + timeoutSeconds + " s:\n" + launch.output());
      }
      launch.reader().join(5_000);
      TempFiles.deleteTree(launch.dataDir());
      return new Exit(launch.process().exitValue(), launch.output().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private record Launch(
      Process process,
      CompletableFuture<Integer> port,
      StringBuffer output,
      Thread reader,
      Path dataDir) {}

  private static Launch launch(String name, Map<String, String> settings) {
    try {
      Path dataDir = Files.createTempDirectory("ohmyotp-" + name + "-");
      String java = ProcessHandle.current().info().command().orElse("java");
      String classpath =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      ProcessBuilder builder =
          new ProcessBuilder(
              java,
              "-Xmx256m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-cp",
              classpath,
              "com.ohmyotp.Main");
      builder.redirectErrorStream(true);
      Map<String, String> env = builder.environment();
      env.keySet().removeIf(k -> k.startsWith("OHMYOTP_"));
      env.put("OHMYOTP_PORT", "0");
      env.put("OHMYOTP_DATA_DIR", dataDir.toString());
      env.putAll(settings);
      Process process = builder.start();
      StringBuffer output = new StringBuffer();
      CompletableFuture<Integer> port = new CompletableFuture<>();
      Thread reader =
          Thread.ofPlatform()
              .daemon()
              .name("output-" + name)
              .start(
                  () -> {
                    try (BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(
                                process.getInputStream(), StandardCharsets.UTF_8))) {
                      for (String line; (line = in.readLine()) != null; ) {
                        output.append(line).append('\n');
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                          port.complete(Integer.parseInt(m.group(1)));
                        }
                      }
                    } catch (IOException e) {
                      output.append("(output lost: ").append(e).append(")\n");
                    }
                    port.completeExceptionally(
                        new IllegalStateException("exited with " + exitCode(process)));
                  });
      return new Launch(process, port, output, reader, dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String exitCode(Process process) {
    try {
      return String.valueOf(process.waitFor());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /** Everything the process printed so far. */
  public String output() {
    return output.toString();
  }

  /** Kills the process outright (SIGKILL): no shutdown hook, no flush, as in a power cut. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the process as an operator would (SIGTERM, then its shutdown hook). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    TempFiles.deleteTree(dataDir);
  }
}
