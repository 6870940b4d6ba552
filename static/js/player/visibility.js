// One IntersectionObserver and one visibilitychange listener for all players of a page: a
// 100-tile grid should not register 100 of each. A watched player gets `inView` set and its
// visibilityChanged() called whenever either may have changed.

const players = new Set();
let observer = null;

const observe = (player) => {
  if (!observer) {
    observer = new IntersectionObserver((entries) => {
      entries.forEach((entry) => {
        entry.target.inView = entry.isIntersecting;
        entry.target.visibilityChanged();
      });
    });
  }
  observer.observe(player);
};

export const watchVisibility = (player) => {
  players.add(player);
  if ("IntersectionObserver" in window) {
    observe(player);
  } else {
    player.inView = true;
    player.visibilityChanged();
  }
};

export const unwatchVisibility = (player) => {
  players.delete(player);
  if (observer) observer.unobserve(player);
};

document.addEventListener("visibilitychange", () => players.forEach((player) => player.visibilityChanged()));
