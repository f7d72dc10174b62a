// Reading an engine's PostgreSQL from an integration test.
#pragma once

#include "store/pg.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace ce::test {

inline store::pg_connection pg_connect(const std::string& url) {
  store::pg_options o;
  o.url = url;
  store::pg_connection c{o};
  REQUIRE(c.connect().ok());
  return c;
}

/// The first column of the first row as text; "" when there is no row or it is NULL.
inline std::string query_one(store::pg_connection& c, const std::string& sql, const store::pg_params& p = {}) {
  auto r = c.exec(sql, p);
  INFO((r ? "" : r.error().message));
  REQUIRE(r.ok());
  if (r->empty() || (*r)[0].is_null(0)) return {};
  return std::string{(*r)[0].text(0)};
}

} // namespace ce::test
