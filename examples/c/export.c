/* An export with parallelcompositor from a C application: two videotestsrc inputs, sink_0 filling
 * the frame and sink_1 a card with rounded corners and a shadow whose zoom is animated with
 * GstController, encoded with x264enc into an MP4. Progress comes from position/duration queries;
 * an error on the bus ends the program with exit status 1 and the error's message.
 *
 * Build:
 *   cc -o export examples/c/export.c $(pkg-config --cflags --libs gstreamer-1.0 gstreamer-controller-1.0)
 * Run:
 *   GST_PLUGIN_PATH=target/release ./export out.mp4
 *   ./export --plugin-dir target/release out.mp4     (gst_registry_scan_path, no environment needed)
 * Options: --seconds S (default 3), --background-pattern P, --card-pattern P (videotestsrc patterns).
 */
#include <gst/controller/controller.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 320
#define HEIGHT 240
#define FPS 30

static void die(const char *fmt, const char *arg)
{
  fprintf(stderr, "error: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n");
  exit(1);
}

static GstElement *make(GstElement *pipeline, const char *factory)
{
  GstElement *e = gst_element_factory_make(factory, NULL);
  if (!e)
    die("no element '%s': is its plugin installed?", factory);
  gst_bin_add(GST_BIN(pipeline), e);
  return e;
}

static GstElement *make_capsfilter(GstElement *pipeline, const char *format)
{
  GstElement *e = make(pipeline, "capsfilter");
  GstCaps *caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, format, "width",
                                      G_TYPE_INT, WIDTH, "height", G_TYPE_INT, HEIGHT, "framerate",
                                      GST_TYPE_FRACTION, FPS, 1, NULL);
  g_object_set(e, "caps", caps, NULL);
  gst_caps_unref(caps);
  return e;
}

/* Binds pad.property to an interpolation control source through (seconds, value) points. */
static void animate(GstPad *pad, const char *property, GstInterpolationMode mode, int n,
                    const double *seconds, const double *values)
{
  GstControlSource *source = gst_interpolation_control_source_new();
  g_object_set(source, "mode", mode, NULL);
  for (int i = 0; i < n; i++)
    gst_timed_value_control_source_set(GST_TIMED_VALUE_CONTROL_SOURCE(source),
                                       (GstClockTime)(seconds[i] * GST_SECOND), values[i]);
  GstControlBinding *binding =
      gst_direct_control_binding_new_absolute(GST_OBJECT(pad), property, source);
  gst_object_unref(source);
  if (!binding || !gst_object_add_control_binding(GST_OBJECT(pad), binding))
    die("could not bind the pad property %s", property);
}

static char *describe(GstMessage *msg)
{
  GError *err = NULL;
  gchar *debug = NULL;
  gst_message_parse_error(msg, &err, &debug);
  char *text = g_strdup_printf("%s (from %s)%s%s", err->message, GST_OBJECT_NAME(msg->src),
                               debug ? "\n  debug: " : "", debug ? debug : "");
  g_error_free(err);
  g_free(debug);
  return text;
}

int main(int argc, char **argv)
{
  const char *output = NULL, *plugin_dir = NULL;
  const char *background_pattern = "smpte", *card_pattern = "ball";
  double seconds = 3.0;

  gst_init(&argc, &argv);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--plugin-dir") && i + 1 < argc)
      plugin_dir = argv[++i];
    else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--background-pattern") && i + 1 < argc)
      background_pattern = argv[++i];
    else if (!strcmp(argv[i], "--card-pattern") && i + 1 < argc)
      card_pattern = argv[++i];
    else if (argv[i][0] != '-' && !output)
      output = argv[i];
    else
      die("unexpected argument '%s'\nusage: export [--plugin-dir DIR] [--seconds S] "
          "[--background-pattern P] [--card-pattern P] OUT.mp4", argv[i]);
  }
  if (!output)
    die("%s", "usage: export [--plugin-dir DIR] [--seconds S] [--background-pattern P] "
              "[--card-pattern P] OUT.mp4");
  if (!(seconds > 0))
    die("%s", "--seconds must be positive");

  /* Finding the plugin: installed, or on GST_PLUGIN_PATH, or scanned here from a folder. */
  if (plugin_dir)
    gst_registry_scan_path(gst_registry_get(), plugin_dir);
  GstElementFactory *factory = gst_element_factory_find("parallelcompositor");
  if (!factory)
    die("%s", "element parallelcompositor not found: build the plugin (cargo build) and set "
              "GST_PLUGIN_PATH to its folder (target/debug or target/release), pass --plugin-dir, "
              "or install it system-wide");
  gst_object_unref(factory);

  GstElement *pipeline = gst_pipeline_new("export");
  GstElement *comp = make(pipeline, "parallelcompositor");
  gst_util_set_object_arg(G_OBJECT(comp), "background", "color");
  g_object_set(comp, "background-color", (guint)0xff202020, NULL);
  GstElement *caps = make_capsfilter(pipeline, "I420");
  GstElement *enc = make(pipeline, "x264enc");
  gst_util_set_object_arg(G_OBJECT(enc), "speed-preset", "ultrafast");
  GstElement *mux = make(pipeline, "mp4mux");
  GstElement *sink = make(pipeline, "filesink");
  g_object_set(sink, "location", output, NULL);
  if (!gst_element_link_many(comp, caps, enc, mux, sink, NULL))
    die("%s", "could not link parallelcompositor ! capsfilter ! x264enc ! mp4mux ! filesink");

  int frames = (int)(seconds * FPS + 0.5);
  const char *patterns[2] = {background_pattern, card_pattern};
  GstPad *pads[2];
  for (int i = 0; i < 2; i++) {
    GstElement *src = make(pipeline, "videotestsrc");
    g_object_set(src, "num-buffers", frames, NULL);
    gst_util_set_object_arg(G_OBJECT(src), "pattern", patterns[i]);
    GstElement *src_caps = make_capsfilter(pipeline, "I420");
    if (!gst_element_link(src, src_caps))
      die("%s", "could not link videotestsrc to its capsfilter");
    pads[i] = gst_element_request_pad_simple(comp, "sink_%u"); /* sink_0, sink_1 */
    if (!pads[i])
      die("%s", "parallelcompositor gave no sink pad");
    GstPad *src_pad = gst_element_get_static_pad(src_caps, "src");
    if (gst_pad_link(src_pad, pads[i]) != GST_PAD_LINK_OK)
      die("could not link input to %s", GST_PAD_NAME(pads[i]));
    gst_object_unref(src_pad);
  }

  /* sink_0 covers the frame; sink_1 is a card in the middle, half the size, rounded corners, a
   * thin border and a soft shadow. Pad properties are doubles: pass doubles to g_object_set. */
  g_object_set(pads[0], "width", (double)WIDTH, "height", (double)HEIGHT, NULL);
  g_object_set(pads[1], "xpos", WIDTH / 4.0, "ypos", HEIGHT / 4.0, "width", WIDTH / 2.0, "height",
               HEIGHT / 2.0, "corner-radius", 24.0, "border-width", 1.0, "shadow-blur", 6.0,
               "shadow-offset-y", 4.0, "zorder", 1u, NULL);
  /* Zoom into the card's upper left and back out, eased (monotonic cubic: no overshoot below 1). */
  const double t[] = {0, seconds * 0.25, seconds * 0.5, seconds * 0.75, seconds};
  const double zoom[] = {1.0, 1.0, 2.0, 2.0, 1.0};
  const double t0[] = {0}, centre[] = {0.3};
  animate(pads[1], "zoom", GST_INTERPOLATION_MODE_CUBIC_MONOTONIC, 5, t, zoom);
  animate(pads[1], "zoom-center-x", GST_INTERPOLATION_MODE_NONE, 1, t0, centre);
  animate(pads[1], "zoom-center-y", GST_INTERPOLATION_MODE_NONE, 1, t0, centre);

  GstBus *bus = gst_element_get_bus(pipeline);
  char *error = NULL;
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    GstMessage *msg = gst_bus_timed_pop_filtered(bus, GST_SECOND, GST_MESSAGE_ERROR);
    error = msg ? describe(msg) : g_strdup("the pipeline refused to start");
    if (msg)
      gst_message_unref(msg);
  }
  gint64 last = -1;
  while (!error) {
    GstMessage *msg = gst_bus_timed_pop_filtered(bus, 250 * GST_MSECOND,
                                                 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (!msg) {
      gint64 pos, dur;
      if (gst_element_query_position(pipeline, GST_FORMAT_TIME, &pos) && pos != last) {
        double total = gst_element_query_duration(pipeline, GST_FORMAT_TIME, &dur) && dur > 0
                           ? (double)dur / GST_SECOND
                           : seconds;
        double done = (double)pos / GST_SECOND;
        double percent = 100 * done / total;
        printf("progress: %5.2f / %.2f s (%3.0f%%)\n", done, total, percent > 100 ? 100 : percent);
        fflush(stdout);
        last = pos;
      }
      continue;
    }
    gboolean eos = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
    if (!eos)
      error = describe(msg);
    gst_message_unref(msg);
    if (eos)
      break;
  }

  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  for (int i = 0; i < 2; i++) {
    gst_element_release_request_pad(comp, pads[i]);
    gst_object_unref(pads[i]);
  }
  gst_object_unref(pipeline);
  if (error) {
    fprintf(stderr, "error: %s\n", error);
    g_free(error);
    return 1;
  }
  printf("wrote %s\n", output);
  return 0;
}
