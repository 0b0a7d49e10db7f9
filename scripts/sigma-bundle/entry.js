// What the WebGL map page (ecograph/templates/sigma.html) takes from the libraries: one
// global, so the page needs no module loader and nothing from the network.
import Graph from "graphology";
import Sigma from "sigma";
import { EdgeLineProgram, EdgeRectangleProgram, NodePointProgram } from "sigma/rendering";
import { toBlob } from "@sigma/export-image";

window.EcographSigma = { Graph, Sigma, EdgeLineProgram, EdgeRectangleProgram, NodePointProgram, toBlob };
