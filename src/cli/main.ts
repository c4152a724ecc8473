console.log("simdnet cli: not yet");
