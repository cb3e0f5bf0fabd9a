// Starts Swagger UI on /api/v1/docs with our own OpenAPI document (a file: the CSP forbids
// inline scripts). The spec URL comes from the page's data attribute.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    validatorUrl: null,
    persistAuthorization: false
  });
});
