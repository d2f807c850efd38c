package com.ohmyotp.db;

import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.ParsedSql;
import org.jdbi.v3.core.statement.SqlParser;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.Update;

/**
 * Writes of one transaction that do not depend on each other's results, sent together. Against
 * PostgreSQL they go as one statement list in one round trip (the driver sends each statement of a
 * semicolon-separated prepared statement and then waits once), and each one's row count is handed
 * to its check once all have run; against an embedded database, which has no round trip to save,
 * one after the other, each checked as soon as it has run.
 *
 * <p>A check that throws leaves the statements after it in the transaction, which the exception
 * then rolls back. A check that writes more runs, on PostgreSQL, after every statement of the
 * pipeline, and so after the locks they took: it must not take a lock that other transactions take
 * before those.
 */
public final class Pipeline {

  private final Handle handle;
  private final boolean oneRoundTrip;
  private final List<Step> steps = new ArrayList<>();

  Pipeline(Handle handle, boolean oneRoundTrip) {
    this.handle = handle;
    this.oneRoundTrip = oneRoundTrip;
  }

  /** A pipeline that runs each statement on its own, for work that has a handle and no database. */
  public static Pipeline oneAtATime(Handle handle) {
    return new Pipeline(handle, false);
  }

  /** The transaction's handle, for a check that must write more when a count says so. */
  public Handle handle() {
    return handle;
  }

  /**
   * Adds a statement with named parameters ({@code :name}) that returns a row count, not rows. Its
   * parameters are bound on the returned step.
   */
  public Step add(String sql) {
    Step step = new Step(sql);
    steps.add(step);
    return step;
  }

  /** Runs every statement added since the last run, and their checks. */
  public void run() {
    if (steps.isEmpty()) {
      return;
    }
    List<Step> batch = List.copyOf(steps);
    steps.clear();
    if (!oneRoundTrip) {
      for (Step step : batch) {
        Update update = handle.createUpdate(step.sql);
        step.params.forEach((name, param) -> update.bindByType(name, param.value(), param.type()));
        step.check.accept(update.execute());
      }
      return;
    }
    int[] counts = runTogether(batch);
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).check.accept(counts[i]);
    }
  }

  // Parsing a statement's named parameters is lexing its whole text: the pipelines' statements are
  // the code's own, a few dozen, parsed once each. Bounded for any built at run time.
  private static final com.github.benmanes.caffeine.cache.Cache<String, ParsedSql> PARSED =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .maximumSize(1_000)
          .executor(Runnable::run)
          .build();

  private int[] runTogether(List<Step> batch) {
    // Named parameters may repeat across statements with other values: every statement is turned
    // into its positional form, with the parser the handle uses, and bound by position. The parser
    // reads a statement context only to describe a parse error, and there is none yet.
    SqlParser parser = handle.getConfig(SqlStatements.class).getSqlParser();
    StringBuilder sql = new StringBuilder();
    List<Param> positional = new ArrayList<>();
    for (Step step : batch) {
      ParsedSql parsed = PARSED.get(step.sql, text -> parser.parse(text, null));
      if (!sql.isEmpty()) {
        sql.append(";\n");
      }
      sql.append(parsed.getSql());
      for (String name : parsed.getParameters().getParameterNames()) {
        Param param = step.params.get(name);
        if (param == null) {
          throw new IllegalArgumentException("no value bound for :" + name + " in " + step.sql);
        }
        positional.add(param);
      }
    }
    Update update = handle.createUpdate(sql.toString());
    for (int i = 0; i < positional.size(); i++) {
      update.bindByType(i, positional.get(i).value(), positional.get(i).type());
    }
    // Closing the context closes the statement now, as Jdbi's own update-count producer does.
    return update.execute(
        (statement, ctx) -> {
          try (StatementContext context = ctx) {
            return counts(statement.get(), batch.size());
          }
        });
  }

  private static int[] counts(PreparedStatement statement, int expected) throws SQLException {
    int[] counts = new int[expected];
    for (int i = 0; i < expected; i++) {
      if (i > 0) {
        statement.getMoreResults();
      }
      counts[i] = statement.getUpdateCount();
      if (counts[i] < 0) {
        throw new IllegalStateException(
            "statement " + (i + 1) + " of a pipeline returned rows or nothing");
      }
    }
    return counts;
  }

  private record Param(Object value, Type type) {}

  /** One statement of a pipeline: its parameters, and what to do with its row count. */
  public static final class Step {
    private final String sql;
    private final Map<String, Param> params = new HashMap<>();
    private IntConsumer check = count -> {};

    private Step(String sql) {
      this.sql = sql;
    }

    // One overload per type, boxed: a primitive argument boxes to it, and a null keeps its SQL
    // type.
    public Step bind(String name, String value) {
      return put(name, value, String.class);
    }

    public Step bind(String name, Long value) {
      return put(name, value, Long.class);
    }

    public Step bind(String name, Integer value) {
      return put(name, value, Integer.class);
    }

    public Step bind(String name, Boolean value) {
      return put(name, value, Boolean.class);
    }

    public Step bind(String name, BigDecimal value) {
      return put(name, value, BigDecimal.class);
    }

    /** What to do with the statement's row count once the pipeline has run. */
    public void then(IntConsumer check) {
      this.check = check;
    }

    private Step put(String name, Object value, Type type) {
      params.put(name, new Param(value, type));
      return this;
    }
  }
}
