package com.ohmyotp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.ohmyotp.api.Routes;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Imports run one way. At the bottom the database ({@code db}) and the HTTP plumbing ({@code api}:
 * the server, the routes interface, errors, JSON, authentication), which know no feature; above
 * them the feature packages; the website ({@code web}) is a feature of its own that no other
 * imports; {@code Application}, in the root package, builds them all. Routes and pages are thin:
 * they hold no database and run no SQL, which the feature's domain classes do.
 */
class ArchitectureTest {

  private static final String[] FEATURES = {
    "com.ohmyotp.accounts..", "com.ohmyotp.ledger..", "com.ohmyotp.catalog..",
    "com.ohmyotp.inventory..", "com.ohmyotp.rentals..", "com.ohmyotp.sms..",
    "com.ohmyotp.sources..", "com.ohmyotp.payments..", "com.ohmyotp.web.."
  };

  private static final JavaClasses SERVER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("com.ohmyotp");

  @Test
  void noTwoPackagesImportEachOtherThroughAnyPath() {
    slices().matching("com.ohmyotp.(*)..").should().beFreeOfCycles().check(SERVER);
  }

  @Test
  void theDatabaseAndTheHttpPlumbingKnowNoFeature() {
    noClasses()
        .that()
        .resideInAnyPackage("com.ohmyotp.db..", "com.ohmyotp.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(FEATURES)
        .check(SERVER);
  }

  @Test
  void noFeatureImportsTheWebsite() {
    noClasses()
        .that()
        .resideOutsideOfPackages("com.ohmyotp.web..", "com.ohmyotp")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.ohmyotp.web..")
        .check(SERVER);
  }

  @Test
  void theDatabaseKnowsNoHttp() {
    noClasses()
        .that()
        .resideInAPackage("com.ohmyotp.db..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("com.ohmyotp.api..", "io.javalin..")
        .check(SERVER);
  }

  @Test
  void routesAndPagesHoldNoDatabaseAndRunNoSql() {
    noClasses()
        .that()
        .implement(Routes.class)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("com.ohmyotp.db..", "org.jdbi..", "java.sql..")
        .check(SERVER);
  }
}
