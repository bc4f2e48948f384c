package dev.budgateway.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency direction of docs/architecture.md, checked on the compiled classes: the SPI sees only the
 * JDK, Jackson and SLF4J (what a plugin is given), Armeria's server is the server module's alone, nothing
 * depends on the server module, and the filters and analytics do not know each other. (The SPI's Maven
 * dependencies are checked by the Enforcer rule in plugins/spi.)
 */
class ModuleBoundariesTest {

    static JavaClasses gateway;

    @BeforeAll
    static void importClasses() {
        gateway = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.budgateway");
    }

    @Test
    void theSpiSeesOnlyTheJdkJacksonAndSlf4j() {
        classes().that().resideInAPackage("dev.budgateway.plugins.spi..").should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "javax..", "com.fasterxml.jackson..", "org.slf4j..",
                        "dev.budgateway.plugins.spi..")
                .check(gateway);
    }

    @Test
    void armeriasServerIsTheServerModulesAlone() {
        noClasses().that().resideOutsideOfPackage("dev.budgateway.server..").should().dependOnClassesThat()
                .resideInAPackage("com.linecorp.armeria.server..").check(gateway);
    }

    @Test
    void nothingDependsOnTheServerModule() {
        noClasses().that().resideOutsideOfPackage("dev.budgateway.server..").should().dependOnClassesThat()
                .resideInAPackage("dev.budgateway.server..").check(gateway);
    }

    @Test
    void theRuntimeAndTheConfigDoNotKnowTheProvidersOrTheFilters() {
        noClasses().that().resideInAnyPackage("dev.budgateway.plugins.runtime..", "dev.budgateway.config..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.budgateway.providers..",
                        "dev.budgateway.filters..", "dev.budgateway.analytics..", "com.linecorp.armeria..")
                .check(gateway);
    }

    @Test
    void filtersAndAnalyticsDoNotKnowEachOther() {
        noClasses().that().resideInAPackage("dev.budgateway.filters..").should().dependOnClassesThat()
                .resideInAPackage("dev.budgateway.analytics..").check(gateway);
        noClasses().that().resideInAPackage("dev.budgateway.analytics..").should().dependOnClassesThat()
                .resideInAPackage("dev.budgateway.filters..").check(gateway);
    }
}
