package com.ohmyotp.api;

import io.javalin.config.RoutesConfig;

/** A feature's HTTP routes; each feature package has one and the application registers them all. */
@FunctionalInterface
public interface Routes {
  void register(RoutesConfig routes);
}
