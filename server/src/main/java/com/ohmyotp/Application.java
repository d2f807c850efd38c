package com.ohmyotp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.accounts.AccountRoutes;
import com.ohmyotp.accounts.Accounts;
import com.ohmyotp.accounts.ApiKeys;
import com.ohmyotp.accounts.Mailer;
import com.ohmyotp.accounts.PasswordResets;
import com.ohmyotp.accounts.SignInThrottle;
import com.ohmyotp.accounts.TwoFactor;
import com.ohmyotp.accounts.WebSessions;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.ApiDocument;
import com.ohmyotp.api.HttpServer;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.Operations;
import com.ohmyotp.api.RateLimiter;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.CatalogRoutes;
import com.ohmyotp.crypto.SecretBox;
import com.ohmyotp.db.ChangeFeed;
import com.ohmyotp.db.Database;
import com.ohmyotp.gateways.GatewayHealth;
import com.ohmyotp.gateways.GatewayInbound;
import com.ohmyotp.gateways.GatewayRoutes;
import com.ohmyotp.gateways.Gateways;
import com.ohmyotp.gateways.LongSms;
import com.ohmyotp.inventory.Inventory;
import com.ohmyotp.inventory.InventoryRoutes;
import com.ohmyotp.inventory.NumberStock;
import com.ohmyotp.inventory.PhoneNumbers;
import com.ohmyotp.ledger.Ledger;
import com.ohmyotp.ledger.MoneyJson;
import com.ohmyotp.payments.PaymentRoutes;
import com.ohmyotp.payments.StripeCheckout;
import com.ohmyotp.payments.StripeEvents;
import com.ohmyotp.payments.TopUpMethod;
import com.ohmyotp.payments.VoucherRedemption;
import com.ohmyotp.payments.Vouchers;
import com.ohmyotp.push.EventLog;
import com.ohmyotp.push.EventStreams;
import com.ohmyotp.push.UrlGuard;
import com.ohmyotp.push.WebhookRoutes;
import com.ohmyotp.push.WebhookSender;
import com.ohmyotp.push.Webhooks;
import com.ohmyotp.rentals.ActivationIds;
import com.ohmyotp.rentals.Availability;
import com.ohmyotp.rentals.AvailabilityCache;
import com.ohmyotp.rentals.Expiry;
import com.ohmyotp.rentals.HistoryPages;
import com.ohmyotp.rentals.HistoryStore;
import com.ohmyotp.rentals.Housekeeping;
import com.ohmyotp.rentals.IdempotencyKeys;
import com.ohmyotp.rentals.LongPolls;
import com.ohmyotp.rentals.PollCache;
import com.ohmyotp.rentals.RentalCounts;
import com.ohmyotp.rentals.RentalHistory;
import com.ohmyotp.rentals.RentalRoutes;
import com.ohmyotp.rentals.RentalStore;
import com.ohmyotp.rentals.RentalViews;
import com.ohmyotp.rentals.Rentals;
import com.ohmyotp.rentals.Renting;
import com.ohmyotp.rentals.RerentCheck;
import com.ohmyotp.rentals.SmsDelivery;
import com.ohmyotp.sms.CodeExtractor;
import com.ohmyotp.sms.SmsRoutes;
import com.ohmyotp.sms.SmsStore;
import com.ohmyotp.sms.UnmatchedMessages;
import com.ohmyotp.smsactivate.Activations;
import com.ohmyotp.smsactivate.HandlerApi;
import com.ohmyotp.smsactivate.HandlerApiClient;
import com.ohmyotp.sources.Gateway;
import com.ohmyotp.sources.GatewayWebhook;
import com.ohmyotp.sources.NumberSources;
import com.ohmyotp.sources.Simulator;
import com.ohmyotp.upstream.ProviderHealth;
import com.ohmyotp.upstream.ProviderOutbox;
import com.ohmyotp.upstream.ProviderRoutes;
import com.ohmyotp.upstream.Providers;
import com.ohmyotp.upstream.Reconciler;
import com.ohmyotp.upstream.SourceRoutes;
import com.ohmyotp.upstream.Upstream;
import com.ohmyotp.upstream.UpstreamPoller;
import com.ohmyotp.upstream.UpstreamStock;
import com.ohmyotp.web.AccountPages;
import com.ohmyotp.web.Assets;
import com.ohmyotp.web.AuthPages;
import com.ohmyotp.web.DashboardPages;
import com.ohmyotp.web.DocsPage;
import com.ohmyotp.web.Guides;
import com.ohmyotp.web.ResetPages;
import com.ohmyotp.web.ServicePicker;
import com.ohmyotp.web.SettingsPages;
import com.ohmyotp.web.StatementPages;
import com.ohmyotp.web.TopUpPages;
import com.ohmyotp.web.TwoFactorPages;
import com.ohmyotp.web.WebhookPages;
import com.ohmyotp.web.Website;
import io.javalin.Javalin;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Builds the whole service from a {@link Config} and a clock, and runs it. This is the one place
 * objects are wired; tests start the service through it too, so they exercise production wiring.
 * About 750 lines because every object is built here, once, in the order they need each other;
 * splitting the wiring would hide the one place that shows it whole.
 */
public final class Application implements AutoCloseable {

  private final Database db;
  private final Javalin http;
  private final ScheduledExecutorService scheduler;
  private final Optional<ChangeFeed> rentalChanges;
  private final java.util.Deque<AutoCloseable> running;
  private final Housekeeping housekeeping;
  private final ProviderOutbox providerOutbox;
  private final UpstreamPoller upstreamPoller;
  private final UpstreamStock upstreamStock;
  private final Gateways gateways;
  private final GatewayHealth gatewayHealth;
  private final LongSms longSms;
  private final Clock clock;
  private final String adminToken;
  private final String gatewaySecret;
  private final Optional<DemoSeed.Demo> demo;

  private Application(
      Database db,
      Javalin http,
      ScheduledExecutorService scheduler,
      Optional<ChangeFeed> rentalChanges,
      java.util.Deque<AutoCloseable> running,
      Housekeeping housekeeping,
      ProviderOutbox providerOutbox,
      UpstreamPoller upstreamPoller,
      UpstreamStock upstreamStock,
      Gateways gateways,
      GatewayHealth gatewayHealth,
      LongSms longSms,
      Clock clock,
      String adminToken,
      String gatewaySecret,
      Optional<DemoSeed.Demo> demo) {
    this.db = db;
    this.http = http;
    this.scheduler = scheduler;
    this.rentalChanges = rentalChanges;
    this.running = running;
    this.housekeeping = housekeeping;
    this.providerOutbox = providerOutbox;
    this.upstreamPoller = upstreamPoller;
    this.upstreamStock = upstreamStock;
    this.gateways = gateways;
    this.gatewayHealth = gatewayHealth;
    this.longSms = longSms;
    this.clock = clock;
    this.adminToken = adminToken;
    this.gatewaySecret = gatewaySecret;
    this.demo = demo;
  }

  /** Opens the database, builds every feature, starts the HTTP server and the background jobs. */
  public static Application start(Config config, Clock clock) {
    DataFolder.makePrivate(config.dataDir());
    String adminToken = Secrets.loadOrCreate(config.adminToken(), config.dataDir(), "admin-token");
    String gatewaySecret =
        Secrets.loadOrCreate(config.gatewaySecret(), config.dataDir(), "gateway-secret");
    // Seals the providers' API keys in the database; every node of one database needs the same.
    SecretBox secretBox =
        new SecretBox(Secrets.loadOrCreate(config.secretsKey(), config.dataDir(), "secrets-key"));

    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmGcMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);

    Database db =
        Database.open(
            config.dbUrl(),
            config.dbUser(),
            config.dbPassword(),
            config.dbPoolSize(),
            config.dbConnectionTimeout(),
            metrics);
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(
            2, Thread.ofPlatform().name("ohmyotp-background-", 0).daemon(true).factory());
    // A stop waits for the step under way, not for the simulator's SMS still to come.
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    // Nodes sharing a PostgreSQL database tell each other which rentals they changed.
    Optional<ChangeFeed> rentalChanges =
        db.dialect() == Database.Dialect.POSTGRESQL
            ? Optional.of(ChangeFeed.start(db, PollCache.CHANNEL))
            : Optional.empty();
    // What runs on its own threads, stopped before the database closes, last started first.
    java.util.Deque<AutoCloseable> running = new java.util.ArrayDeque<>();
    try {
      ObjectMapper json = Json.newMapper(MoneyJson.module());
      PhoneNumbers phones = new PhoneNumbers(config.defaultRegion());
      Ledger ledger = new Ledger(db.dialect());
      ApiKeys apiKeys = new ApiKeys(db, clock);
      Accounts accounts = new Accounts(db, ledger, apiKeys, clock);
      Inventory inventory = new Inventory(db, phones, clock);
      NumberStock stock = new NumberStock(db, phones, clock);
      SmsStore smsStore = new SmsStore();
      PollCache polls =
          rentalChanges.map(PollCache::sharedThrough).orElseGet(() -> PollCache.forDatabase(db));
      io.micrometer.core.instrument.Gauge.builder(
              "ohmyotp.code.waiting", polls.waiters(), w -> w.waiting())
          .description("Long-polls of /code waiting for something new")
          .register(metrics);
      FunctionCounter.builder("ohmyotp.polls.from.memory", polls, PollCache::answeredFromMemory)
          .description("Polls of /code answered without reading the database")
          .register(metrics);
      EventLog events = new EventLog(db, phones, config.lowBalance(), rentalChanges, clock);
      events.start();
      running.push(events);
      RentalStore rentalStore = new RentalStore(polls, db.dialect(), events);
      RentalCounts rentalCounts = new RentalCounts(db.dialect());
      IdempotencyKeys idempotency = new IdempotencyKeys(db);
      CodeExtractor extractor = new CodeExtractor();
      RentalViews rentalViews = new RentalViews(phones, extractor);
      SmsDelivery delivery =
          new SmsDelivery(
              db, inventory, smsStore, extractor, rentalStore, rentalCounts, events, clock);
      // The catalog checks services' sources by name; the upstream source needs the catalog.
      Catalog catalog =
          new Catalog(db, java.util.Set.of(Simulator.NAME, Gateway.NAME, Upstream.NAME), clock);
      Providers providers = new Providers(db, catalog, secretBox, clock);
      HandlerApiClient providerClient =
          new HandlerApiClient(config.providerConnectTimeout(), config.providerReadTimeout());
      ProviderHealth providerHealth =
          new ProviderHealth(metrics, config.providerLowBalance(), clock);
      ProviderOutbox providerOutbox =
          new ProviderOutbox(db, providers, providerClient, providerHealth, clock);
      UpstreamStock upstreamStock =
          new UpstreamStock(providers, providerClient, catalog, providerHealth);
      Upstream upstream =
          new Upstream(
              providers,
              providerClient,
              providerOutbox,
              config.providerBreakerFailures(),
              config.providerBreakerOpen(),
              providerHealth,
              upstreamStock,
              config.providersCheapestFirst());
      NumberSources sources =
          new NumberSources(
              List.of(
                  new Simulator(delivery, config.simulatorDelay(), scheduler),
                  new Gateway(),
                  upstream));
      Expiry expiry = new Expiry(db, rentalStore, rentalCounts, inventory, ledger, clock);
      Renting renting =
          new Renting(
              db,
              catalog,
              inventory,
              ledger,
              sources,
              rentalStore,
              rentalCounts,
              idempotency,
              new ActivationIds(db),
              rentalViews,
              events,
              json,
              clock);
      Rentals rentals =
          new Rentals(
              db,
              inventory,
              ledger,
              smsStore,
              rentalStore,
              rentalCounts,
              polls,
              rentalViews,
              expiry,
              clock);
      RentalHistory history =
          new RentalHistory(
              db, new HistoryStore(), rentalCounts, new HistoryPages(), rentalViews, expiry, clock);
      RerentCheck rerentCheck =
          new RerentCheck(db, catalog, inventory, rentalCounts, expiry, clock);
      ApiAuth auth =
          new ApiAuth(
              apiKeys,
              new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst()),
              adminToken);

      Optional<DemoSeed.Demo> demo =
          config.seedDemo()
              ? DemoSeed.seedIfEmpty(db, catalog, stock, accounts, renting, rentals)
              : Optional.empty();
      // After the demo catalog, whose services a providers file may name.
      config.providersFile().ifPresent(file -> loadProviders(providers, file, json));
      Gateways gateways = new Gateways(db, stock, phones, secretBox, clock);
      config.gatewaysFile().ifPresent(file -> loadGateways(gateways, file, json));
      GatewayHealth gatewayHealth = new GatewayHealth(metrics, clock);
      LongSms longSms = new LongSms(db);

      Availability availabilityCounter = new Availability(db, inventory, clock);
      AvailabilityCache availability = new AvailabilityCache(availabilityCounter, catalog::listing);
      // Fresh numbers per service: counted here, or as the providers last said for upstream ones.
      java.util.function.Function<List<com.ohmyotp.catalog.Service>, java.util.Map<Integer, Long>>
          available = upstreamStock.overlaying(availability::counts);
      // The same by country: counted here, or as the providers last said for upstream services.
      java.util.function.Function<
              List<com.ohmyotp.catalog.Service>,
              java.util.Map<Integer, java.util.Map<String, Long>>>
          availableByCountry =
              services -> {
                java.util.Map<Integer, java.util.Map<String, Long>> counts =
                    new java.util.HashMap<>(
                        availabilityCounter.byCountry(services, available.apply(services)));
                for (com.ohmyotp.catalog.Service s : services) {
                  upstreamStock.of(s.id()).ifPresent(st -> counts.put(s.id(), st.byCountry()));
                }
                return counts;
              };
      // Counting by country may walk the numbers: a node does it at most every few seconds.
      com.github.benmanes.caffeine.cache.Cache<
              List<com.ohmyotp.catalog.Service>,
              java.util.Map<Integer, java.util.Map<String, Long>>>
          countriesCounted =
              com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                  .weakKeys()
                  .maximumSize(4)
                  .expireAfterWrite(java.time.Duration.ofSeconds(5))
                  .build();
      java.util.function.Function<
              List<com.ohmyotp.catalog.Service>,
              java.util.Map<Integer, java.util.Map<String, Long>>>
          countryCounts = services -> countriesCounted.get(services, availableByCountry);
      Activations activations =
          new Activations(
              accounts,
              catalog,
              renting,
              rentals,
              availableByCountry,
              config.defaultRegion(),
              clock);
      UnmatchedMessages unmatched = new UnmatchedMessages(db, smsStore);
      WebSessions webSessions = new WebSessions(db, clock);
      TwoFactor twoFactor = new TwoFactor(db, secretBox, clock);
      SignInThrottle signInThrottle = new SignInThrottle();
      PasswordResets passwordResets =
          new PasswordResets(db, accounts, config.mail().map(Mailer::new), clock);
      running.push(passwordResets);
      Website website = new Website(webSessions, accounts);
      EventStreams streams = new EventStreams(events, rentals::poll, auth, json);
      io.micrometer.core.instrument.Gauge.builder("ohmyotp.event.streams", streams, s -> s.open())
          .description("Server-sent event streams open on this node")
          .register(metrics);
      UrlGuard urlGuard = new UrlGuard(config.webhookAllowHosts());
      Webhooks webhooks = new Webhooks(db, secretBox, urlGuard, clock);
      WebhookSender webhookSender = new WebhookSender(db, webhooks, events, urlGuard, json, clock);
      webhookSender.start();
      running.push(webhookSender);
      ApiDocument apiDocument = ApiDocument.load();
      Vouchers vouchers = new Vouchers(db, ledger, clock);
      PaymentRoutes.RedeemThrottle redeemThrottle = new PaymentRoutes.RedeemThrottle();
      Optional<StripeCheckout> cards =
          config.stripe().map(stripe -> new StripeCheckout(stripe, db, clock));
      Optional<StripeEvents> cardEvents =
          config.stripe().map(stripe -> new StripeEvents(stripe, db, ledger, json, clock));
      List<TopUpMethod> topUps = new ArrayList<>(cards.stream().toList());
      topUps.add(new VoucherRedemption(vouchers, redeemThrottle));
      Guides guides = new Guides(website);
      Javalin http =
          HttpServer.create(
              json,
              metrics,
              List.of(
                  new RentalRoutes(
                      renting,
                      rentals,
                      history,
                      rerentCheck,
                      new LongPolls(rentals, polls.waiters(), clock),
                      auth,
                      json),
                  new HandlerApi(activations, auth, json),
                  streams,
                  new WebhookRoutes(webhooks, webhookSender, auth, json),
                  new ProviderRoutes(providers, auth, json),
                  new SourceRoutes(
                      providers,
                      upstream,
                      providerHealth,
                      providerOutbox,
                      () -> db.read(h -> inventory.counted(h).numbersBySource()),
                      auth),
                  new AccountRoutes(accounts, apiKeys, twoFactor, expiry, auth, json),
                  new PaymentRoutes(vouchers, redeemThrottle, cardEvents, auth, json),
                  new CatalogRoutes(
                      catalog,
                      available::apply,
                      countryCounts::apply,
                      (service, country) -> upstreamStock.priceIn(service.id(), country),
                      auth,
                      json),
                  new InventoryRoutes(
                      stock,
                      sources.names(),
                      name -> gateways.find(name).map(com.ohmyotp.gateways.Gateway::id),
                      config.defaultRegion(),
                      auth,
                      json,
                      clock),
                  new SmsRoutes(unmatched, auth),
                  new GatewayWebhook(
                      delivery,
                      gatewaySecret,
                      config.webhookBodyOnlySignature(),
                      json,
                      new RateLimiter(
                          config.webhookRatePerSecond(), 2 * config.webhookRatePerSecond()),
                      clock),
                  new GatewayInbound(
                      gateways,
                      delivery,
                      longSms,
                      gatewayHealth,
                      phones,
                      new RateLimiter(
                          config.webhookRatePerSecond(), 2 * config.webhookRatePerSecond()),
                      clock),
                  new GatewayRoutes(gateways, gatewayHealth, auth, json),
                  apiDocument,
                  new Operations(db::ping, metrics, config.metricsToken()),
                  new OperatorStats(accounts, catalog, inventory, rentals, unmatched, auth),
                  new AuthPages(website, accounts, signInThrottle, twoFactor),
                  new TwoFactorPages(website, accounts, twoFactor, signInThrottle),
                  new ResetPages(website, passwordResets),
                  new DashboardPages(
                      website,
                      renting,
                      rentals,
                      new ServicePicker(
                          catalog,
                          available::apply,
                          countryCounts::apply,
                          (service, country) -> upstreamStock.priceIn(service.id(), country)),
                      clock),
                  new StatementPages(website, history, catalog, accounts),
                  new SettingsPages(website, apiKeys),
                  new WebhookPages(website, webhooks, webhookSender),
                  new TopUpPages(website, topUps, cards),
                  new AccountPages(website, accounts, twoFactor, signInThrottle),
                  guides,
                  new DocsPage(website, apiDocument, guides),
                  new Assets()));
      http.start(config.port());

      Housekeeping housekeeping = new Housekeeping(expiry, stock, idempotency, smsStore, db, clock);
      housekeeping.start(scheduler, config.sweepInterval().toMillis());
      scheduler.scheduleWithFixedDelay(() -> purgeSessions(webSessions), 1, 60, TimeUnit.MINUTES);
      scheduler.scheduleWithFixedDelay(() -> forgetOldEvents(events), 5, 60, TimeUnit.MINUTES);
      scheduler.scheduleWithFixedDelay(
          () -> checkGateways(gateways, gatewayHealth, longSms, clock), 60, 60, TimeUnit.SECONDS);
      UpstreamPoller upstreamPoller =
          new UpstreamPoller(
              db,
              providers,
              providerClient,
              providerOutbox,
              delivery,
              providerHealth,
              new Reconciler(
                  db,
                  providers,
                  providerClient,
                  providerOutbox,
                  config.providerReconcileAfter(),
                  clock),
              clock);
      scheduler.scheduleWithFixedDelay(
          () -> runUpstream(upstreamPoller, providerOutbox), 1, 1, TimeUnit.SECONDS);
      scheduler.scheduleWithFixedDelay(
          () -> refreshStock(upstreamStock),
          0,
          UpstreamStock.REFRESH.toSeconds(),
          TimeUnit.SECONDS);
      return new Application(
          db,
          http,
          scheduler,
          rentalChanges,
          running,
          housekeeping,
          providerOutbox,
          upstreamPoller,
          upstreamStock,
          gateways,
          gatewayHealth,
          longSms,
          clock,
          adminToken,
          gatewaySecret,
          demo);
    } catch (RuntimeException e) {
      scheduler.shutdownNow();
      stopAll(running);
      rentalChanges.ifPresent(ChangeFeed::close);
      db.close();
      throw e;
    }
  }

  /**
   * The drafts of a configuration file ({@code OHMYOTP_PROVIDERS_FILE}, {@code
   * OHMYOTP_GATEWAYS_FILE}): a JSON list of the objects the operator API takes.
   */
  private static <T> List<T> readDrafts(
      java.nio.file.Path file, String setting, String what, Class<T> type, ObjectMapper json) {
    try {
      return json.readValue(
          file.toFile(), json.getTypeFactory().constructCollectionType(List.class, type));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Where, never what: the file holds secrets.
      var at = e.getLocation();
      throw new Config.ConfigException(
          setting
              + " "
              + file
              + " is not a JSON list of "
              + what
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
    } catch (java.io.IOException e) {
      throw new Config.ConfigException(
          setting + " " + file + " cannot be read: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Makes the drafts of a configuration file exist as written: each is created, or changed to match
   * where one of its name exists. One that cannot be (a bad field, a service the catalog lacks) is
   * left out with a warning naming it, so that the rest still apply.
   */
  private static <D> int applyDrafts(
      List<D> drafts,
      String what,
      java.util.function.Function<D, String> name,
      java.util.function.Predicate<String> exists,
      java.util.function.Consumer<D> create,
      java.util.function.BiConsumer<String, D> change) {
    int applied = 0;
    for (D draft : drafts) {
      String n = name.apply(draft);
      try {
        if (n != null && exists.test(n)) {
          change.accept(n, draft);
        } else {
          create.accept(draft);
        }
        applied++;
      } catch (com.ohmyotp.api.ApiException e) {
        org.slf4j.LoggerFactory.getLogger(Application.class)
            .warn(
                "{} '{}' of the {}s file left out: {}",
                what,
                com.ohmyotp.catalog.Catalog.printable(n),
                what,
                e.getMessage());
      }
    }
    return applied;
  }

  private static void loadProviders(
      Providers providers, java.nio.file.Path file, ObjectMapper json) {
    List<Providers.Draft> drafts =
        readDrafts(file, "OHMYOTP_PROVIDERS_FILE", "providers", Providers.Draft.class, json);
    int applied =
        applyDrafts(
            drafts,
            "provider",
            Providers.Draft::name,
            providers::exists,
            providers::create,
            providers::change);
    org.slf4j.LoggerFactory.getLogger(Application.class)
        .info("providers file {}: {} of {} providers applied", file, applied, drafts.size());
  }

  private static void loadGateways(Gateways gateways, java.nio.file.Path file, ObjectMapper json) {
    List<Gateways.Draft> drafts =
        readDrafts(file, "OHMYOTP_GATEWAYS_FILE", "gateways", Gateways.Draft.class, json);
    int applied =
        applyDrafts(
            drafts,
            "gateway",
            Gateways.Draft::name,
            name -> gateways.find(name).isPresent(),
            gateways::create,
            gateways::change);
    org.slf4j.LoggerFactory.getLogger(Application.class)
        .info("gateways file {}: {} of {} gateways applied", file, applied, drafts.size());
  }

  private static void checkGateways(
      Gateways gateways, GatewayHealth health, LongSms longSms, Clock clock) {
    try {
      gateways.markSilentDown();
      gateways.list().forEach(g -> health.down(g.name(), g.down()));
      longSms.forgetOld(clock.instant().getEpochSecond());
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Application.class)
          .warn("gateway check failed, will retry: {}", e.toString());
    }
  }

  private static void refreshStock(UpstreamStock stock) {
    try {
      stock.refresh();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Application.class)
          .warn("reading the providers' prices failed, will retry: {}", e.toString());
    }
  }

  /** One pass over the providers: their rentals polled for codes, then the calls owed them. */
  private static int runUpstream(UpstreamPoller poller, ProviderOutbox outbox) {
    try {
      int polled = poller.runOnce();
      outbox.runOnce();
      return polled;
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Application.class)
          .warn("provider pass failed, will retry: {}", e.toString());
      return 0;
    }
  }

  private static void purgeSessions(WebSessions sessions) {
    try {
      sessions.purge();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Application.class)
          .warn("session purge failed, will retry: {}", e.toString());
    }
  }

  /** The method and path of every HTTP route, such as {@code GET /api/v1/services/{id}}. */
  public List<String> endpoints() {
    return http.unsafe.internalRouter.allHttpHandlers().stream()
        .map(e -> e.endpoint.method.name() + " " + e.endpoint.path)
        .toList();
  }

  public int port() {
    return http.port();
  }

  public Database database() {
    return db;
  }

  /** The log of events, for tests that write to it by hand. */
  public EventLog events() {
    return running.stream()
        .filter(EventLog.class::isInstance)
        .map(EventLog.class::cast)
        .findFirst()
        .orElseThrow();
  }

  public String adminToken() {
    return adminToken;
  }

  public String gatewaySecret() {
    return gatewaySecret;
  }

  /** The demo account made on this start, if this start seeded an empty database. */
  public Optional<DemoSeed.Demo> demo() {
    return demo;
  }

  /** Makes the calls owed to providers that are due now, as the background job would. */
  public int runProviderOutbox() {
    return providerOutbox.runOnce();
  }

  /** Reads the providers' prices and counts now, as the background job does every 30 s. */
  public void refreshUpstreamStock() {
    upstreamStock.refresh();
  }

  /**
   * Polls the providers' rentals that are due, tells providers of rentals that ended and makes the
   * calls owed them, as the background job does every second; returns how many were polled.
   */
  public int pollProvidersNow() {
    return runUpstream(upstreamPoller, providerOutbox);
  }

  /**
   * Marks down the gateways silent past their threshold and forgets stale parts of long SMS, as the
   * background job does every minute; returns how many gateways it marked down.
   */
  public int checkGatewaysNow() {
    int marked = gateways.markSilentDown();
    checkGateways(gateways, gatewayHealth, longSms, clock);
    return marked;
  }

  /** Runs the expiry sweep now, as the background job would. */
  public int sweepNow() {
    return housekeeping.runOnce();
  }

  @Override
  public void close() {
    http.stop();
    // The sweep finishes the step it is in: an interrupt in the middle of a file write would
    // close the embedded database's file under it.
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      scheduler.shutdownNow();
      Thread.currentThread().interrupt();
    }
    stopAll(running);
    rentalChanges.ifPresent(ChangeFeed::close);
    db.close();
  }

  private static void forgetOldEvents(EventLog events) {
    try {
      events.forgetOld();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Application.class)
          .warn("forgetting old events failed; trying again in an hour: {}", e.toString());
    }
  }

  private static void stopAll(java.util.Deque<AutoCloseable> running) {
    while (!running.isEmpty()) {
      AutoCloseable next = running.pop();
      try {
        next.close();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(Application.class)
            .warn("stopping {}: {}", next.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
