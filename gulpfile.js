const path = require('node:path');
const { task, src, dest, parallel } = require('gulp');

// tsc compiles the code; n8n also needs the icons next to the compiled node and credential.
task('build:icons', () =>
	src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest(path.resolve('dist')),
	),
);

task('build:entry', () => src('index.js').pipe(dest(path.resolve('dist'))));

task('build:assets', parallel('build:icons', 'build:entry'));
