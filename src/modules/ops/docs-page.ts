/** GET /docs: Swagger UI from this Worker's own assets (public/docs-assets), so the reference works offline. */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Ahoum Booking API reference</title>
  <link rel="icon" href="/docs-assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs-assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs-assets/swagger-ui-bundle.js"></script>
  <script src="/docs-assets/init.js"></script>
</body>
</html>`;
