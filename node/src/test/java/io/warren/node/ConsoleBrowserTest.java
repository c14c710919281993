package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.NodeProcess;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless browser (Debian's chromium, driven through its chromedriver): a
 * refused login, then guest logs in; a queue declared over AMQP appears; a message published from the
 * queue's page comes back with "Get messages"; the queue is purged; a refused declaration shows the
 * broker's reason; a client's connection is closed from the page and the client sees 320. Screenshots go to
 * target/console-screenshots (WARREN_CONSOLE_SCREENSHOTS names another folder: docs/console for the docs).
 * Every wait is on what the page shows, with a deadline.
 */
class ConsoleBrowserTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static Cluster cluster;
    private static NodeProcess node;
    private static WebDriver browser;
    private static WebDriverWait wait;
    private static Path screenshots;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("chromium and chromium-driver are missing; deploy/test.sh installs them");
        }
        assumeTrue(present, "chromium or chromium-driver is not installed: skipping (deploy/test.sh installs them)");
        String dir = System.getenv("WARREN_CONSOLE_SCREENSHOTS");
        screenshots = dir == null || dir.isEmpty() ? Path.of("target", "console-screenshots") : Path.of(dir);
        Files.createDirectories(screenshots);
        cluster = Cluster.start("console", 3);
        node = cluster.leader(); // the page is served by any node; the leader's shows every follower's lag
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--user-data-dir=" + Files.createTempDirectory("warren-console-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, DEADLINE);
        // The page redraws its tables every 5 s: an element found just before a redraw is gone after it.
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String console() {
        return "http://127.0.0.1:" + node.adminPort() + "/";
    }

    private static WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Clicks what {@code by} finds, finding it again if the page redrew it in between. */
    private static void click(By by) {
        wait.until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    /** Waits until the text of what {@code by} finds contains {@code part}; returns the text. */
    private static String textWith(By by, String part) {
        return wait.until(d -> {
            String text = d.findElement(by).getText();
            return text.contains(part) ? text : null;
        });
    }

    private static void statusSays(String text) {
        wait.until(ExpectedConditions.textToBe(By.id("status"), text));
    }

    private static void screenshot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(screenshots.resolve(name + ".png"), png);
    }

    private static void logIn(String user, String password) {
        WebElement name = visible(By.id("login-user"));
        name.clear();
        name.sendKeys(user);
        WebElement secret = browser.findElement(By.id("login-password"));
        secret.clear();
        secret.sendKeys(password);
        browser.findElement(By.cssSelector("#login button[type=submit]")).click();
    }

    private static void go(String page) {
        click(By.cssSelector("#nav a[data-page='" + page + "']"));
    }

    private static WebElement form(String title) {
        return visible(By.cssSelector("form[data-form='" + title + "']"));
    }

    @Test
    void anOperatorLogsInSeesAQueueAppearPublishesGetsPurgesAndClosesAConnection() throws Exception {
        browser.get(console());
        logIn("guest", "wrong");
        wait.until(ExpectedConditions.textToBe(By.id("login-error"), "Login failed"));
        assertTrue(!browser.findElement(By.id("nav")).isDisplayed(), "nothing is shown before a login");
        logIn("guest", "guest");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who-name"), "guest (administrator)"));
        visible(By.cssSelector("table[data-table='totals']"));

        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(node.amqpPort());
        AtomicBoolean publishing = new AtomicBoolean(true);
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> publishWhile(factory, publishing));
        try {
            // The rates need two of the API's samples (5 s apart) and the page's refresh after them.
            // Three samples with a rate make a line worth a screenshot.
            wait.until(d -> d.findElement(By.cssSelector("[data-chart='Message rates'] polyline"))
                    .getDomAttribute("data-rated") instanceof String n && Integer.parseInt(n) >= 3);
            wait.until(d -> d.findElements(By.cssSelector("table[data-table='nodes'] tbody tr")).size() == 3);
            screenshot("overview");
        } finally {
            publishing.set(false);
            traffic.get(60, TimeUnit.SECONDS);
        }

        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        try (Connection client = factory.newConnection("console-client"); Channel ch = client.createChannel()) {
            client.addShutdownListener(closed::complete);
            ch.queueDeclare("console-q", true, false, false, Map.of("x-queue-type", "quorum"));
            go("queues");
            By row = By.cssSelector("table[data-table='queues'] tr[data-name='console-q']");
            assertTrue(textWith(row, "quorum").contains("n1 n2 n3"), "its members");
            screenshot("queues");

            form("Add a queue").findElement(By.name("name")).sendKeys("amq.console");
            form("Add a queue").findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "amq.console"));
            assertEquals("error", browser.findElement(By.id("status")).getAttribute("class"), "shown as refused");

            click(By.cssSelector("table[data-table='queues'] tr[data-name='console-q'] a"));
            visible(By.cssSelector("table[data-table='queue']"));
            WebElement publish = form("Publish a message");
            publish.findElement(By.name("payload")).sendKeys("hello from the console");
            publish.findElement(By.cssSelector("button[type=submit]")).click();
            statusSays("Message published.");
            form("Get messages").findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("#got-messages pre.payload"), "hello from the console"));
            assertEquals(1, ch.queueDeclarePassive("console-q").getMessageCount(), "ack_requeue_true put it back");
            screenshot("queue");

            browser.findElement(By.cssSelector("button[data-action='purge']")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            statusSays("Queue purged.");
            assertEquals(0, ch.queueDeclarePassive("console-q").getMessageCount(), "purged");

            go("connections");
            By close = By.xpath("//table[@data-table='connections']//tr[td[normalize-space()='console-client']]"
                    + "//button[@data-close]");
            visible(close);
            screenshot("connections");
            click(close);
            wait.until(ExpectedConditions.alertIsPresent()).accept(); // the prompt, with its default reason
            statusSays("Connection closed.");
            ShutdownSignalException why = closed.get(30, TimeUnit.SECONDS);
            assertTrue(why.getMessage().contains("320"), why.getMessage());
            assertTrue(why.getMessage().contains("Closed via management console"), why.getMessage());
        } catch (com.rabbitmq.client.AlreadyClosedException expected) {
            // closing the closed client at the end of the try
        }

        go("nodes");
        textWith(By.cssSelector("table[data-table='nodes'] tr[data-name='" + node.nodeId() + "']"), "leader");
        wait.until(d -> d.findElements(By.xpath("//table[@data-table='nodes']//td[.='follower']")).size() == 2);
        screenshot("nodes");

        go("admin");
        WebElement addUser = form("Add a user");
        addUser.findElement(By.name("name")).sendKeys("console-user");
        addUser.findElement(By.name("password")).sendKeys("secret");
        addUser.findElement(By.name("tags")).sendKeys("monitoring");
        addUser.findElement(By.cssSelector("button[type=submit]")).click();
        statusSays("User added.");
        visible(By.cssSelector("table[data-table='users'] tr[data-name='console-user']"));
        screenshot("admin");
    }

    @Test
    void theConsoleFilesAreServedWithoutFramingAndOnlyByName() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(console())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"));
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
        for (String path : new String[] {"console/../console/console.js", "console/nothing.js", "console/"}) {
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(console() + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), path);
        }
        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(console() + "console/console.js"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
    }

    /** Publishes and consumes on one connection until told to stop, so the overview has rates to draw. */
    private static void publishWhile(ConnectionFactory factory, AtomicBoolean publishing) {
        try (Connection connection = factory.newConnection("console-traffic"); Channel ch = connection.createChannel()) {
            ch.queueDeclare("console-traffic", true, false, false, Map.of("x-queue-type", "quorum"));
            ch.basicConsume("console-traffic", true, (tag, delivery) -> { }, tag -> { });
            ch.confirmSelect();
            while (publishing.get()) {
                for (int i = 0; i < 20; i++) {
                    ch.basicPublish("", "console-traffic", MessageProperties.PERSISTENT_BASIC, new byte[64]);
                }
                ch.waitForConfirmsOrDie(30_000);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the overview's traffic failed", e);
        }
    }
}
