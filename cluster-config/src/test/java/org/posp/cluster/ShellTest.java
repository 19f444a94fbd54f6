package org.posp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShellTest {

  @Test
  void plainWordsStayAsTheyAre() {
    assertEquals("-Dposp.node-id=2", Shell.quote("-Dposp.node-id=2"));
    assertEquals("pekko://posp@127.0.0.1:25521", Shell.quote("pekko://posp@127.0.0.1:25521"));
  }

  @Test
  void specialCharactersAreSingleQuoted() {
    assertEquals(
        "'-Dposp.db.profile=slick.jdbc.PostgresProfile$'",
        Shell.quote("-Dposp.db.profile=slick.jdbc.PostgresProfile$"));
    assertEquals("''", Shell.quote(""));
    assertEquals("'it'\\''s'", Shell.quote("it's"));
  }

  /** The real test: /bin/sh receives exactly the words the launcher passed. */
  @Test
  void aPosixShellGetsBackTheSameWords() throws Exception {
    List<String> words =
        List.of(
            "-Dposp.db.profile=slick.jdbc.PostgresProfile$",
            "-Dposp.db.url=jdbc:postgresql://127.0.0.1:15432/posp?reWriteBatchedInserts=true",
            "/tmp/dir with spaces/x.jar",
            "it's",
            "a\"b",
            "`date`",
            "$(id)",
            "*",
            "semi;colon",
            "back\\slash",
            "");
    Process p =
        new ProcessBuilder("/bin/sh", "-c", "printf '%s\\n' " + Shell.join(words))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    List<String> expected = new ArrayList<>(words);
    assertEquals(String.join("\n", expected) + "\n", out);
  }
}
