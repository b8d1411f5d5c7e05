const { src, dest } = require('gulp');

// tsc emits only JavaScript; the node icons (and codex JSON is imported by tsc) must be copied by hand.
function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
