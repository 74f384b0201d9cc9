#!/usr/bin/env -S npx tsx
import { buildApp } from '../lib/app';

buildApp().app.synth();
