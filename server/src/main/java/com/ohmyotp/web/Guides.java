package com.ohmyotp.web;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Origins;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.ext.heading.anchor.HeadingAnchorExtension;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The project's guides ({@code docs/*.md} in the source tree, on the class path under {@code
 * guides/}) as pages of the website, rendered once at start. Public, as the API's page is.
 */
public final class Guides implements Routes {

  /** A guide: its address name, its title, and its HTML. */
  public record Guide(String name, String title, String html) {}

  /** The guides shown, in the order the docs page lists them. */
  static final List<String> NAMES =
      List.of("push", "sms-activate", "gateways", "providers", "payments", "production");

  /** The address the guides' examples use, replaced by the one the reader reached us at. */
  private static final String EXAMPLE_ORIGIN = "http://localhost:8080";

  private final Website site;
  private final Map<String, Guide> guides = new LinkedHashMap<>();

  public Guides(Website site) {
    this.site = site;
    List<Extension> extensions = List.of(TablesExtension.create(), HeadingAnchorExtension.create());
    Parser parser = Parser.builder().extensions(extensions).build();
    HtmlRenderer renderer =
        HtmlRenderer.builder()
            .extensions(extensions)
            .escapeHtml(true)
            .sanitizeUrls(true)
            .attributeProviderFactory(context -> Guides::linkTarget)
            .build();
    for (String name : NAMES) {
      String markdown = read("/guides/" + name + ".md");
      Node document = parser.parse(markdown);
      String title = markdown.lines().findFirst().orElse(name).replaceFirst("^#+\\s*", "");
      guides.put(name, new Guide(name, title, renderer.render(document)));
    }
  }

  /** The guides, for the docs page's contents. */
  public List<Guide> all() {
    return List.copyOf(guides.values());
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get(
        "/docs/guides/{name}",
        site.anyone(
            (ctx, visitor) -> {
              Guide guide = guides.get(ctx.pathParam("name"));
              if (guide == null) {
                throw ApiException.notFound("not_found", "There is no such guide.");
              }
              Map<String, Object> params = new LinkedHashMap<>();
              params.put("visitor", visitor);
              params.put("guide", guide);
              params.put("html", guide.html().replace(EXAMPLE_ORIGIN, Origins.of(ctx)));
              params.put("guides", all());
              site.render(ctx, 200, "guide.jte", params);
            }));
  }

  /** A link to another guide goes to its page; one to a file of the source tree is dropped. */
  private static void linkTarget(Node node, String tag, Map<String, String> attributes) {
    if (!(node instanceof Link) || !attributes.containsKey("href")) {
      return;
    }
    String href = attributes.get("href");
    if (href.startsWith("http://") || href.startsWith("https://") || href.startsWith("#")) {
      return;
    }
    String file = href.replaceFirst("#.*", "").replaceFirst("^.*/", "");
    String name = file.replaceFirst("\\.md$", "");
    if (file.endsWith(".md") && NAMES.contains(name)) {
      attributes.put("href", "/docs/guides/" + name + href.replaceFirst("^[^#]*", ""));
    } else {
      attributes.remove("href");
    }
  }

  private static String read(String resource) {
    try (InputStream in = Guides.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
