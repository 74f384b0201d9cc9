// Re-rendering the current page after an action: the router (app.js) registers itself here, so the
// page modules need not import the module that imports them.

let render = async () => {};

export function setRouter(router) {
  render = router;
}

export const route = () => render();
