package com.ohmyotp.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Row mappers that find their columns by name once per result set and read every row by position.
 * The driver otherwise looks each name up again on every read, and a history page reads a few dozen
 * columns from each of its fifty rows.
 */
public final class ByPosition {

  private ByPosition() {}

  /** Finds a mapper's columns in a result set, and returns the mapper that reads them. */
  @FunctionalInterface
  public interface Columns<T> {
    RowMapper<T> find(ResultSet rs) throws SQLException;
  }

  /** A mapper whose columns {@code columns} finds once for each result set it maps. */
  public static <T> RowMapper<T> mapper(Columns<T> columns) {
    return new RowMapper<>() {
      @Override
      public T map(ResultSet rs, StatementContext ctx) throws SQLException {
        // Only when a caller maps a row without specializing first: find them for this row.
        return columns.find(rs).map(rs, ctx);
      }

      @Override
      public RowMapper<T> specialize(ResultSet rs, StatementContext ctx) throws SQLException {
        return columns.find(rs);
      }
    };
  }

  /** The column {@code rs.getLong(column)} read, or null when it was NULL. */
  public static Long nullableLong(ResultSet rs, int column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }
}
