// Starts Swagger UI on the schema in the page's language.
window.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("swagger-ui");
  if (!node || !window.SwaggerUIBundle) {
    return;
  }
  window.SwaggerUIBundle({
    url: node.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    requestInterceptor: function (request) {
      var match = document.cookie.match(/csrftoken=([^;]+)/);
      if (match) {
        request.headers["X-CSRFToken"] = match[1];
      }
      return request;
    },
  });
});
